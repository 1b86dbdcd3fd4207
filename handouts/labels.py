"""The words the PDFs print around the deck's own text, in English and Chinese."""
from __future__ import annotations

import time

LABELS = {
    "en": {
        "handout": "Handout", "summary": "Session summary", "takeaway": "Your takeaway",
        "page": "Page {x} of {y}", "speaker": "Speaker", "source": "Source", "date": "Date",
        "join_title": "Join on your phone", "join_hint": "Scan the code, or open {url}",
        "code": "Code", "room_said": "What the room said", "answered": "{n} answered",
        "answered_of": "{n} of {joined} answered ({rate})",
        "tick_one": "Tick one.", "tick_many": "Tick up to {n}.", "tick_all": "Tick all that apply.",
        "circle_one": "Circle one number.",
        "rank": "Number the items in your order: 1 = first, {n} = last.",
        "write": "Write your answer.", "correct": "correct", "mean": "Mean", "median": "Median",
        "avg_rank": "avg. rank {r}", "terms": "Most frequent terms",
        "answers": "Answers", "hidden": "{n} hidden by the facilitator (counted, not printed)",
        "no_answers": "Nobody answered.", "tips": "Tips", "question": "Question {n}",
        "your_answer": "Your answer", "you": "you", "not_answered": "You did not answer this one.",
        "key_ideas": "Key ideas", "duration": "Duration", "minutes": "{m} min",
        "joined": "Participants joined", "answering": "Participants answering",
        "polls": "Questions", "rate": "Response rate", "answered_col": "Answered",
        "appendix": "Appendix: every open answer, by participant", "notes": "Notes",
        "session": "Session",
        "poll_rate": "Response rate per question", "homework": "Homework",
        "for": "Prepared for {name}", "room_answers": "The room answered",
        "type_choice": "Choice", "type_multiple": "Multiple choice", "type_scale": "Scale",
        "type_ranking": "Ranking", "type_open": "Open question",
        "rank_legend": "Share of people who put it",
        "planned": " (planned {m} min)", "date_time": "{date}, {start}\u2013{end}",
    },
    "zh": {
        "handout": "讲义", "summary": "活动总结报告", "takeaway": "你的收获",
        "page": "第 {x} 页，共 {y} 页", "speaker": "主讲", "source": "来源", "date": "日期",
        "join_title": "用手机加入", "join_hint": "扫描二维码，或打开 {url}",
        "code": "加入码", "room_said": "大家的回答", "answered": "{n} 人作答",
        "answered_of": "{joined} 人中 {n} 人作答（{rate}）",
        "tick_one": "请选一项。", "tick_many": "最多选 {n} 项。", "tick_all": "可多选。",
        "circle_one": "请圈出一个数字。",
        "rank": "按你的顺序给各项编号：1 = 最先，{n} = 最后。",
        "write": "写下你的回答。", "correct": "正确答案", "mean": "平均值", "median": "中位数",
        "avg_rank": "平均名次 {r}", "terms": "高频词",
        "answers": "回答", "hidden": "{n} 条已被主持人隐藏（计入人数，不打印）",
        "no_answers": "无人作答。", "tips": "要点", "question": "问题 {n}",
        "your_answer": "你的回答", "you": "你", "not_answered": "你没有回答这一题。",
        "key_ideas": "核心观点", "duration": "时长", "minutes": "{m} 分钟",
        "joined": "加入人数", "answering": "作答人数",
        "polls": "问题", "rate": "作答率", "answered_col": "作答",
        "appendix": "附录：全部开放式回答（按参与者）", "notes": "笔记",
        "session": "场次",
        "poll_rate": "各问题的作答率", "homework": "作业",
        "for": "为 {name} 准备", "room_answers": "全场的回答",
        "type_choice": "单选", "type_multiple": "多选", "type_scale": "量表",
        "type_ranking": "排序", "type_open": "开放题",
        "rank_legend": "把它排在各名次的人数比例",
        "planned": "（计划 {m} 分钟）", "date_time": "{date} {start}\u2013{end}",
    },
}
MONTHS = ("January February March April May June July August September October "
          "November December").split()


class Labels:
    """Look up printed words for one language; format dates and numbers the same way."""

    def __init__(self, language: str = "en"):
        self.lang = "zh" if (language or "").lower().startswith("zh") else "en"
        self.words = LABELS[self.lang]

    def __call__(self, key: str, **values) -> str:
        return self.words[key].format(**values)

    def date(self, ts: float | None) -> str:
        """Return a printed date in local time, e.g. 12 March 2025 or 2025年3月12日."""
        t = time.localtime(ts if ts is not None else time.time())
        if self.lang == "zh":
            return f"{t.tm_year}年{t.tm_mon}月{t.tm_mday}日"
        return f"{t.tm_mday} {MONTHS[t.tm_mon - 1]} {t.tm_year}"

    def clock(self, ts: float | None) -> str:
        """Return a printed local time of day, e.g. 14:05."""
        return time.strftime("%H:%M", time.localtime(ts)) if ts is not None else "–"

    def percent(self, fraction: float) -> str:
        """Return a rounded percentage, e.g. 73%."""
        return f"{round(100 * fraction)}%"

    def group(self, group: str) -> str:
        """Return a poll group's printed name."""
        return self("homework") if group == "homework" else group

    def poll_type(self, poll) -> str:
        """Return a poll type's printed name."""
        if poll.type == "choice" and poll.multiple:
            return self("type_multiple")
        return self(f"type_{poll.type}")
