"""Speakers: turns of transcripts, the official of an interview article, and their posts."""

import pytest

from govfacts.pipeline.resolve import interviewee, speaker_title, speaker_turns

TURNS = [
    ("briefing", "主持人：\n请王局长介绍。\n王建国：\n今年签约12个。\n晚报记者：\n请问开工多少？\n王建国：开工9个。",
     [("主持人", 0), ("王建国", 13), ("晚报记者", 27), ("王建国", 41)]),
    ("salutation-is-no-turn", "李明委员：\n您好！您提出的建议收悉。", []),
    ("one-speaker-is-no-transcript", "赵刚：签约5个。\n赵刚：开工3个。", []),
    ("labels-that-are-no-speakers", "注：数据为快报数。\n单位：亿元\n来源：市统计局", []),
    ("label-followed-by-digits", "记者：2023年成效如何？\n刘芳：2023年，全市签约30个。", [("记者", 0), ("刘芳", 14)]),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in TURNS], ids=[c[0] for c in TURNS])
def test_speaker_turns(text, expected):
    assert [(t.speaker, t.char_start) for t in speaker_turns(text)] == expected


INTERVIEWS = [
    ("subtitle", "奋力推动招商\n——访市商务局党组书记、局长周立新\n日前，周立新表示……", "周立新"),
    ("accepted-an-interview", "市发改委主任孙强在接受本报记者采访时表示，孙强说，今年……", "孙强"),
    ("no-interview", "全市签约项目20个，王强说要加快建设。", None),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in INTERVIEWS], ids=[c[0] for c in INTERVIEWS])
def test_interviewee(text, expected):
    assert interviewee(text) == expected


TITLES = [
    ("chain", "——专访市投资促进局党组书记、局长王楚\n王楚说", "王楚", "市投资促进局党组书记、局长"),
    ("invited", "我们邀请到市招商服务中心主任钟声作发布。钟声：", "钟声", "市招商服务中心主任"),
    ("two-people", "市商务局局长郑海波、来安县副县长许文静出席。", "许文静", "来安县副县长"),
    ("no-post", "记者：成效如何？\n王莉：很好。", "王莉", None),
    ("reporter", "晚报记者：请问？", "晚报记者", None),
]


@pytest.mark.parametrize("text,name,expected", [c[1:] for c in TITLES], ids=[c[0] for c in TITLES])
def test_speaker_title(text, name, expected):
    assert speaker_title(text, name) == expected
