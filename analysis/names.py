"""Personal names in Chinese free text that no list names (E-PRIVACY), found by a part-of-speech tagger.

jieba's tagger (``jieba.posseg``) ships its dictionary and hidden-Markov tables in the package: nothing is
downloaded. It tags a person's name ``nr``; on its own it splits many three-character names (王/nr 秀英/nr,
周/nr 桂兰/ns, 黄/a 海涛/nr) and tags some ordinary words ``nr`` (申请人, 文明 of 文明路). So its tags
are read with three rules:

* a surname (one character tagged ``nr``, or a common surname the tagger tagged as a noun or adjective
  before a given name it tagged ``nr``; or a compound surname such as 欧阳) joined to the given name of one
  or two characters after it, unless that is a title (李局长 is a title, not a name);
* a two-character ``nr`` (three with a compound surname) joined to a one-character ``nr`` after it (范文 静 →
  范文静, 慕容雪 芳 → 慕容雪芳);
* a name starts with a common surname (楼栋 and 井道, tagged ``nr``, do not); no word ending in 人 or 者
  (申请人), and none followed by a place or an institution (文明路, 向阳中学).

What it finds and what it wrongly finds are measured on realistic minutes and opinions in
tests/analysis/test_name_tagger.py, and what it cannot find is listed in docs/privacy-audit.md "Privacy". The tagger is
loaded once per process, on first use (about a second).
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from typing import Any

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
# The commonest single-character surnames (about 95 % of the population), for a surname the tagger did not
# tag as one; a conjunction or verb that is also a surname (和, 向 as a preposition) is excluded by its tag.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕"
    "单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚"
    "娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查"
    "麻苑迟邝"
)
COMPOUND_SURNAMES = frozenset(
    (
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "令狐",
        "慕容",
        "尉迟",
        "公孙",
        "夏侯",
        "宇文",
        "长孙",
        "司徒",
        "端木",
    )
)
# After a surname these make a title, not a name (李局长, 王老师, 张某).
TITLES = frozenset(
    [
        "局长",
        "主任",
        "书记",
        "区长",
        "市长",
        "县长",
        "镇长",
        "乡长",
        "村长",
        "厅长",
        "处长",
        "科长",
        "部长",
        "院长",
        "校长",
        "所长",
        "站长",
        "队长",
        "组长",
        "社长",
        "行长",
        "主席",
        "委员",
        "代表",
        "专家",
        "教授",
        "老师",
        "医生",
        "律师",
        "记者",
        "同志",
        "先生",
        "女士",
        "小姐",
        "师傅",
        "阿姨",
        "大爷",
        "大妈",
        "大姐",
        "大哥",
        "老人",
        "经理",
        "某某",
        "某",
        "总",
        "工",
        "老",
        "家",
        "姓",
        "氏",
    ]
)
# A "name" followed by one of these is a place or an institution (文明路, 向阳中学, 高峰时段).
PLACE_AFTER = (
    "路", "街", "巷", "道", "小学", "中学", "大学", "学院", "学校", "医院", "社区", "公园", "广场", "小区",
    "区", "县", "市", "镇", "乡", "村", "省", "书店", "公司", "集团", "大厦", "花园", "新村", "桥", "站",
    "中心", "银行", "宾馆", "饭店", "酒店", "幼儿园", "派出所", "法院", "剧院", "体育馆", "图书馆", "商场",
    "超市", "市场", "号", "栋", "楼", "单元", "时段", "期", "调查",
)  # fmt: skip
# Tags a surname the tagger did not tag nr may carry (黄/a, 田/n, 方/n), and a given name after a surname.
_SURNAME_TAGS = frozenset({"n", "a", "ng", "ag", "b", "nr", "nrt", "ns", "nz", "t", "tg", "j"})
_GIVEN_TAGS = frozenset(
    {"n", "nr", "nrt", "nrfg", "ns", "nz", "a", "d", "t", "ng", "j", "an", "i", "vn", "v", "tg", "ag", "b"}
)
_NAME_TAGS = frozenset({"nr", "nrt", "nrfg"})

_loaded: Any = None
_loading = threading.Lock()


def _tagger() -> Any:
    """jieba.posseg, its dictionary loaded once per process (thread-safe; about a second the first time)."""
    global _loaded
    with _loading:
        if _loaded is None:
            with warnings.catch_warnings():
                # jieba 0.42.1's regular expressions are not raw strings: Python 3.12+ warns when it compiles
                # them, which happens only where the install left no bytecode.
                warnings.simplefilter("ignore", SyntaxWarning)
                import jieba
                import jieba.posseg

            jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict…" on every worker's stderr
            jieba.posseg.dt.initialize()
            _loaded = jieba.posseg
    return _loaded


def warm_up() -> None:
    """Load the tagger's dictionary now (the serving process's fork server does, so that no run loads its own)."""
    _tagger()


def person_names(text: str) -> set[str]:
    """The personal names of two to four characters the tagger finds in `text` (module docstring)."""
    if not text or not any("\u4e00" <= character <= "\u9fff" for character in text):
        return set()
    words = [(pair.word, pair.flag) for pair in _tagger().cut(text)]
    found: set[str] = set()
    i = 0
    while i < len(words):
        name, after = _name_at(words, i)
        if name is not None:
            found.add(name)
            i = after
        else:
            i += 1
    return found


def _name_at(words: list[tuple[str, str]], i: int) -> tuple[str | None, int]:
    """The name that starts at word i and the index after it, or (None, i)."""
    word, tag = words[i]
    following = words[i + 1] if i + 1 < len(words) else ("", "x")
    if not _HAN.match(word):
        return None, i
    candidate, after = None, i + 1
    surname = (len(word) == 1 and (tag == "nr" or (word in SURNAMES and tag in _SURNAME_TAGS))) or (
        word in COMPOUND_SURNAMES
    )
    if surname:
        given, given_tag = following
        if (
            _HAN.match(given)
            and 1 <= len(given) <= 2
            and given not in TITLES
            and (
                given_tag in _NAME_TAGS
                or (tag == "nr" and given_tag in _GIVEN_TAGS and len(given) == 2)
                or (word in COMPOUND_SURNAMES and given_tag in _GIVEN_TAGS)
            )
        ):
            candidate, after = word + given, i + 2
    elif tag in ("nr", "nrfg") and 2 <= len(word) <= 3 and (word[0] in SURNAMES or word[:2] in COMPOUND_SURNAMES):
        # A word the dictionary tags nr but no common surname starts is a word (楼栋, 井道), not a name.
        candidate = word
        longest = 4 if word[:2] in COMPOUND_SURNAMES else 3  # 范文+静, 慕容雪+芳
        if following[1] == "nr" and len(following[0]) == 1 and len(word) < longest and _HAN.match(following[0]):
            candidate, after = word + following[0], i + 2
    if candidate is None or candidate.endswith(("人", "者")):
        return None, i
    if (candidate[2:] if candidate[:2] in COMPOUND_SURNAMES else candidate[1:]) in TITLES:
        return None, i  # 王先生, 李总: tagged as one word, still a title
    if after < len(words) and words[after][0].startswith(PLACE_AFTER):
        return None, i
    return candidate, after
