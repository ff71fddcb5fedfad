"""The people file (rules/people.py): every bad row named with its column, and who may act where."""

from __future__ import annotations

import pytest

from pinggu.core.errors import InputFileError
from pinggu.rules.people import LOCAL_OUTBOX, PersonSpec, may_act, read_people, split_list

PROFILES = {"bazhou": "霸州市", "ningxia_commerce": "宁夏回族自治区商务厅"}
HEADER = "姓名,单位,职务,角色,辖区,联系方式\n"


def _file(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "people.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("roles", "actor", "expected"),
    [
        (["厅决策机关"], "厅决策机关（厅党组会议、厅务会议或厅专题会议）", True),
        (["决策机关"], "决策机关（市政府）", True),
        (["评估机关"], "评估机关", True),
        (["评估机关"], "评估机关负责人", False),  # another actor, not the same one named more fully
        (["决策机关"], "厅决策机关（厅党组会议、厅务会议或厅专题会议）", False),
        (["县政府"], "县政府（决策机关）", True),
        ([], "评估单位", False),
        (["  评估单位 "], "评估单位", True),
    ],
)
def test_a_role_matches_the_actor_it_names_and_nothing_longer(roles, actor, expected):
    assert may_act(roles, actor) is expected


def test_lists_in_a_cell_split_on_chinese_and_latin_separators():
    assert split_list("评估单位；评估小组、承办处室,评估机关\n决策机关") == (
        "评估单位",
        "评估小组",
        "承办处室",
        "评估机关",
        "决策机关",
    )


def test_a_good_file_is_read_with_jurisdictions_by_id_or_name(tmp_path):
    path = _file(
        tmp_path,
        f"张建国,区政府办公室,主任,承担评估具体工作的单位负责人,霸州市,{LOCAL_OUTBOX}\n"
        "马厅长,商务厅,厅长,厅决策机关；评估单位,ningxia_commerce,dingtalk://TOKEN/13800000000\n",
    )
    assert read_people(path, PROFILES) == [
        PersonSpec("张建国", "区政府办公室", "主任", ("承担评估具体工作的单位负责人",), ("bazhou",), LOCAL_OUTBOX),
        PersonSpec(
            "马厅长",
            "商务厅",
            "厅长",
            ("厅决策机关", "评估单位"),
            ("ningxia_commerce",),
            "dingtalk://TOKEN/13800000000",
        ),
    ]


def test_every_bad_row_is_named_and_nothing_is_read(tmp_path):
    path = _file(
        tmp_path,
        f"张建国,区政府办公室,主任,评估单位,,{LOCAL_OUTBOX}\n"
        f",区政府办公室,主任,,,{LOCAL_OUTBOX}\n"
        "李四,司法局,科员,评估单位,火星市,13800000000\n"
        f"张建国,区政府办公室,副主任,评估单位,,{LOCAL_OUTBOX}\n",
    )
    with pytest.raises(InputFileError) as refused:
        read_people(path, PROFILES)
    assert refused.value.message == "人员名单 people.csv 有 3 行错误，未导入任何人员（修正后重新导入）："
    assert [str(p) for p in refused.value.problems] == [
        "第 3 行，“姓名”列：不能为空",
        "第 3 行，“角色”列：不能为空",
        "第 4 行，“辖区”列：未知的辖区 火星市，可填：bazhou（霸州市）、ningxia_commerce（宁夏回族自治区商务厅），留空为全部",
        "第 4 行，“联系方式”列：联系方式应为“本机发件箱”或一个通知地址（如 dingtalk://、wecombot://、mailtos://），收到：13800000000",
        "第 5 行，“姓名”列：与第 2 行重复（同一单位的同一姓名）",
    ]


def test_a_file_without_a_required_column_is_refused_by_its_header(tmp_path):
    path = _file(tmp_path, f"张建国,区政府办公室,主任,{LOCAL_OUTBOX}\n", header="姓名,单位,职务,联系方式\n")
    with pytest.raises(InputFileError, match="人员名单“people.csv”的表头有误") as refused:
        read_people(path, PROFILES)
    assert [str(p) for p in refused.value.problems] == ["第 1 行，“角色”列：缺少“角色”列"]


def test_a_file_with_only_a_header_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="没有任何人员"):
        read_people(_file(tmp_path, ""), PROFILES)
