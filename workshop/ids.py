"""Random identifiers: session ids, join codes, facilitator keys, pseudonyms."""
from __future__ import annotations

import random
import secrets

# No 0/O, 1/I/L: a join code is read off a wall and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6

ADJECTIVES = ("Amber Blue Bold Brave Bright Calm Clever Coral Crimson Daring Eager Gentle Golden "
              "Green Happy Honest Jade Keen Kind Lively Lucky Mellow Merry Misty Noble Olive Quick Quiet "
              "Rapid Royal Ruby Sage Silver Steady Sunny Swift Teal Vivid Warm Wise").split()
ANIMALS = ("Badger Bear Bison Crane Dolphin Eagle Falcon Fox Gazelle Heron Ibis Jaguar Koala Lark "
           "Lemur Lion Lynx Marten Moose Narwhal Otter Owl Panda Pelican Puffin Quail Raven Robin "
           "Salmon Seal Sparrow Swan Tiger Toucan Turtle Whale Wolf Wren Yak Zebra").split()


def session_id(rng: secrets.SystemRandom | random.Random | None = None) -> str:
    """Return a new session id: short, URL-safe, unguessable enough to name a session."""
    if rng is None:
        return secrets.token_hex(6)
    return "%012x" % rng.getrandbits(48)


def join_code(rng=None) -> str:
    """Return a new 6-character join code."""
    rng = rng or secrets.SystemRandom()
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def facilitator_key() -> str:
    """Return a new facilitator key of 192 random bits."""
    return secrets.token_urlsafe(24)


# Chinese names are an adjective and an animal too, as a Chinese app names an anonymous
# reader; 50 x 47 of them name 2,350 people before a number is needed.
ADJECTIVES_ZH = ("勇敢 聪明 快乐 安静 温柔 机灵 勤劳 活泼 淡定 开朗 乐观 热情 认真 友善 可爱 坚定 沉稳 "
                 "敏捷 好奇 细心 耐心 大方 爽朗 自在 悠闲 优雅 机智 善良 文静 稳重 阳光 灵巧 果敢 真诚 "
                 "豪爽 欢乐 睿智 谦和 从容 专注 踏实 灵动 潇洒 温和 机敏 朴实 坦率 勇猛 轻快 欢快").split()
ANIMALS_ZH = ("熊猫 海豚 狐狸 老虎 狮子 松鼠 兔子 考拉 企鹅 海豹 鲸鱼 仙鹤 燕子 喜鹊 孔雀 猎豹 骆驼 "
              "斑马 袋鼠 水獭 刺猬 浣熊 海龟 白鹭 天鹅 黄鹂 麋鹿 山羊 犀牛 河马 羚羊 猫头鹰 长颈鹿 "
              "百灵鸟 小鹿 海鸥 大象 蜂鸟 翠鸟 白鸽 金鱼 锦鲤 黄莺 棕熊 灰狼 鹦鹉 紫貂").split()
WORDS = {"en": (ADJECTIVES, ANIMALS, " "), "zh": (ADJECTIVES_ZH, ANIMALS_ZH, "")}


def pseudonym(participant_number: int, language: str = "en") -> str:
    """Return a friendly, stable pseudonym for the n-th participant of a session, in a language."""
    adjectives, animals, space = WORDS.get(language, WORDS["en"])
    n = participant_number - 1
    adj = adjectives[n % len(adjectives)]
    # gcd(len(adjectives) + 1, len(animals)) == 1 keeps every pair of a lap distinct
    animal = animals[(n + n // len(adjectives)) % len(animals)]
    lap = n // (len(adjectives) * len(animals))
    return f"{adj}{space}{animal}" + (f" {lap + 1}" if lap else "")
