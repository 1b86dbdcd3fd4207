"""The starter deck `workshop new` writes: one slide of each kind, one poll of each type,
with comments on what to change, in English or Chinese, and a picture for its image slide."""
from __future__ import annotations

import re

from .markdown_slide import escape
from .yaml_write import block

PICTURE = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360" role="img"
     aria-label="{alt}">
  <rect width="640" height="360" fill="#f6f4ef"/>
  <circle cx="170" cy="180" r="90" fill="#2f6f8f" opacity="0.85"/>
  <circle cx="320" cy="180" r="90" fill="#e0a030" opacity="0.85"/>
  <circle cx="470" cy="180" r="90" fill="#6b8e4e" opacity="0.85"/>
  <text x="170" y="188" font-family="sans-serif" font-size="26" fill="#fff"
        text-anchor="middle">{a}</text>
  <text x="320" y="188" font-family="sans-serif" font-size="26" fill="#fff"
        text-anchor="middle">{b}</text>
  <text x="470" y="188" font-family="sans-serif" font-size="26" fill="#fff"
        text-anchor="middle">{c}</text>
</svg>
"""

EN = """---
# The deck's settings. Change the title; the rest is optional.
{title}
subtitle: A short workshop
language: en          # en or zh
minutes: 30           # planned length
names: anonymous      # or "named": participants give a name the console shows
moderate: false       # true: open answers wait for your approval before the wall
qa: true              # false: phones cannot ask the facilitator questions
---

<!-- minutes: 1   # the first slide, a '#' title alone: the opening slide with the join code -->
# {heading}
## What we will do together

Notes:
Speaker notes: everything after a line "Notes:" to the end of the slide shows on the console.

---

<!-- minutes: 0.5 -->
# Part one
## A section: a heading alone divides the deck

---

<!-- minutes: 2 -->
# A list of points

- A heading and a list make a bullets slide
- Keep **inline emphasis**, `code` and [links](https://example.org) as you like
  - An indented item is a sub-bullet
  - At most two levels
- Replace these with your own points

---

<!-- minutes: 1 -->
> A quote: lines starting with '>', and the person on the last line.
>
> — Someone Worth Quoting

---

<!-- minutes: 2 -->
# A paragraph

A heading and a paragraph make a text slide.

A blank line starts a new paragraph.

---

<!-- minutes: 1 -->
# A picture

![Three overlapping circles: Plan, Do, Review]({picture})

<!-- A picture alone makes an image slide. Keep pictures beside the deck (PNG, JPEG or SVG),
and describe each one in the brackets: that text is read aloud and shown if it cannot load. -->

---

<!-- minutes: 1.5 -->
# A choice

```poll
id: first-choice            # a slug, unique in the deck
type: choice
question: Which would you pick?
options:
  - One option
  - Another option
  - A third option
```

---

<!-- minutes: 1.5 -->
# A scale

```poll
id: how-ready
type: scale
question: How ready do you feel?
min: 1
max: 5
left: Not at all
right: Completely
```

---

<!-- minutes: 2 -->
# A ranking

```poll
id: what-matters
type: ranking
question: Put these in order of importance
items:
  - Trust
  - Clarity
  - Speed
```

---

<!-- minutes: 3 -->
# An open question

```poll
id: one-word
type: open
question: In one sentence, what will you try next week?
max_length: 200
```

---

<!-- minutes: 5 -->
# A scenario

A short story: the situation people discuss. A story, a poll and tips make a scenario;
the tips show after the vote.

```poll
id: scenario-first-step
type: choice
question: What would you do first?
options:
  - Talk to the team
  - Make a plan alone
```

### What helps

- A tip revealed after the vote
- Another tip

Notes:
Read the story aloud, open the vote, then discuss before revealing the tips.

---

<!-- kind: qa   # the questions phones ask, most upvoted first -->
# Your questions

---

<!-- kind: leaderboard -->
# Leaderboard

<!-- Ranks everyone by quiz points: a choice poll with `correct` is a quiz question, and
`seconds: 20` times it. `podium: true` in the comment above shows the final three. -->
"""

ZH = """---
# 工作坊的设置。改成你的标题；其余可选。
{title}
subtitle: 一个简短的工作坊
language: zh          # en 或 zh
minutes: 30           # 计划时长（分钟）
names: anonymous      # 或 named：参与者填写名字，控制台可见
moderate: false       # true：开放回答先经你批准再上墙
qa: true              # false：手机不能向主持人提问
---

<!-- minutes: 1   # 第一页只有 '#' 标题：开场页，显示加入二维码 -->
# {heading}
## 我们一起做什么

Notes:
讲者备注：从 "Notes:" 这一行到本页结束的内容只在控制台显示。

---

<!-- minutes: 0.5 -->
# 第一部分
## 章节页：只有标题的一页用来分隔各部分

---

<!-- minutes: 2 -->
# 要点列表

- 标题加列表就是要点页
- 可以用 **强调**、`代码` 和 [链接](https://example.org)
  - 缩进的一项是子要点
  - 最多两级
- 换成你自己的要点

---

<!-- minutes: 1 -->
> 引言：以 '>' 开头的行，最后一行写上说话的人。
>
> — 值得引用的人

---

<!-- minutes: 2 -->
# 一段文字

标题加段落就是文字页。

空一行开始新的段落。

---

<!-- minutes: 1 -->
# 一张图片

![三个相交的圆：计划、执行、回顾]({picture})

<!-- 只有图片的一页是图片页。图片放在工作坊文件旁边（PNG、JPEG 或 SVG），
并在方括号里描述它：读屏软件会读出这段文字，图片无法显示时也会显示它。 -->

---

<!-- minutes: 1.5 -->
# 单选

```poll
id: first-choice            # 简短的英文标识，在本工作坊中唯一
type: choice
question: 你会选哪一个？
options:
  - 一个选项
  - 另一个选项
  - 第三个选项
```

---

<!-- minutes: 1.5 -->
# 量表

```poll
id: how-ready
type: scale
question: 你觉得自己准备得怎么样？
min: 1
max: 5
left: 完全没准备好
right: 完全准备好了
```

---

<!-- minutes: 2 -->
# 排序

```poll
id: what-matters
type: ranking
question: 按重要程度排序
items:
  - 信任
  - 清晰
  - 速度
```

---

<!-- minutes: 3 -->
# 开放问题

```poll
id: one-word
type: open
question: 用一句话说说：下周你会尝试什么？
max_length: 200
```

---

<!-- minutes: 5 -->
# 情景

一个简短的故事：大家要讨论的情境。故事、投票和提示组成情景页；
投票之后才显示提示。

```poll
id: scenario-first-step
type: choice
question: 你会先做什么？
options:
  - 先和团队谈谈
  - 自己先定个计划
```

### 有帮助的做法

- 投票后显示的提示
- 另一条提示

Notes:
先朗读故事，开始投票，讨论之后再显示提示。

---

<!-- kind: qa   # 手机提出的问题，票数最多的在前 -->
# 你们的问题

---

<!-- kind: leaderboard -->
# 排行榜

<!-- 按测验得分排名：带 `correct` 的选择题就是测验题，加上 `seconds: 20` 即可限时。
在上面的注释里写 `podium: true` 可显示最后的前三名。 -->
"""

_CIRCLES = {"en": ("Plan", "Do", "Review"), "zh": ("计划", "执行", "回顾")}
_ALT = {"en": "Three overlapping circles: Plan, Do, Review", "zh": "三个相交的圆：计划、执行、回顾"}


def starter(title: str, language: str, picture: str) -> str:
    """Return the starter deck's Markdown; `picture` is the image's path beside the deck."""
    template = ZH if language.startswith("zh") else EN
    src = f"<{picture}>" if re.search(r"[\s()<>]", picture) else picture
    title_line = "\n".join(block({"title": title.strip()}))
    return template.format(title=title_line, heading=escape(title.strip()), picture=src)


def starter_picture(language: str) -> str:
    """Return the SVG picture the starter deck's image slide shows."""
    lang = "zh" if language.startswith("zh") else "en"
    a, b, c = _CIRCLES[lang]
    return PICTURE.format(alt=_ALT[lang], a=a, b=b, c=c)
