"""Pinyin initials of Chinese names, so that `zs` finds 张三."""

from pypinyin import Style, lazy_pinyin

# Surnames whose reading as a surname differs from the common reading of the character.
SURNAME_INITIALS = {
    "单": "s", "曾": "z", "解": "x", "仇": "q", "区": "o", "查": "z", "朴": "p", "盖": "g",
    "乐": "y", "缪": "m", "尉": "y", "覃": "q", "召": "s", "种": "c", "秘": "b", "翟": "z",
    "员": "y", "繁": "p", "宓": "f", "黑": "h", "句": "g", "长": "c", "重": "c",
}


def initials(name: str) -> str:
    """Lower-case initials: 张三 → zs, 单雄信 → sxx; non-Chinese letters kept as they are."""
    name = name.strip()
    head = SURNAME_INITIALS.get(name[:1])
    rest = name[1:] if head else name
    letters = lazy_pinyin(rest, style=Style.FIRST_LETTER, errors=lambda chars: list(chars.lower()))
    return (head or "") + "".join(c for c in "".join(letters).lower() if c.isalnum())
