"""Scope by role and masking by audience, enforced in the data-access layer."""

from __future__ import annotations

import pytest

from copilot.data.access import Access, Caller, load_user
from copilot.data.store import MemberStore
from copilot.errors import UserError
from tests.tools.chain import load


@pytest.fixture
def members(settings) -> MemberStore:
    store = MemberStore.from_settings(settings)
    load(store)
    return store


def _access(members: MemberStore, staff_id: str, direct: bool = False) -> Access:
    with members.read() as conn:
        return Access.for_caller(conn, Caller(load_user(conn, staff_id), direct=direct))


@pytest.mark.parametrize(("staff_id", "stores", "label"), [
    ("E01", ("S001",), "北京朝阳大悦城店(S001)"),
    ("E03", ("S001",), "北京朝阳大悦城店(S001)"),
    ("E05", ("S001", "S002", "S003"), "华北区 3 家门店"),
    ("E08", ("S010",), "华南区 1 家门店"),
    ("E06", ("S001", "S002", "S003", "S010"), "全连锁"),
])
def test_each_role_sees_its_stores(members, staff_id, stores, label) -> None:
    access = _access(members, staff_id)
    assert sorted(access.stores) == list(stores)
    assert access.label == label


def test_trainee_sees_no_member_data(members) -> None:
    with pytest.raises(UserError, match="培训账号不能查看会员数据"):
        _access(members, "E07")


def test_unknown_staff_is_a_clear_error(members) -> None:
    with members.read() as conn, pytest.raises(UserError, match="找不到员工编号 'E99'"):
        load_user(conn, "E99")


def test_out_of_scope_store_is_refused_naming_what_the_user_may_see(members) -> None:
    access = _access(members, "E01")
    with members.read() as conn:
        with pytest.raises(UserError) as err:
            access.scope(conn, store="S002")
        assert "没有查看 北京西单大悦城店(S002) 的权限" in err.value.zh
        assert "北京朝阳大悦城店(S001)" in err.value.zh
        with pytest.raises(UserError, match="没有查看 全连锁 的权限"):
            _access(members, "E05").scope(conn, chain=True)
        assert access.scope(conn).store_ids == ("S001",)  # nothing named: own store


@pytest.mark.parametrize(("staff_id", "direct", "member_store", "owner", "revealed"), [
    ("E01", True, "S001", "E01", True),  # owning staff, one-to-one
    ("E01", False, "S001", "E01", False),  # owning staff, but in a group
    ("E01", True, "S001", "E02", False),  # a colleague's member
    ("E03", True, "S001", "E02", True),  # that store's manager, one-to-one
    ("E03", False, "S001", "E02", False),
    ("E05", True, "S001", "E01", False),  # supervisor: masked even one-to-one
    ("E06", True, "S001", "E01", False),  # admin too
])
def test_personal_data_revealed_only_one_to_one_to_owner_or_store_manager(
        members, staff_id, direct, member_store, owner, revealed) -> None:
    access = _access(members, staff_id, direct=direct)
    name, phone, masked = access.show("张三丰", "13812341234", member_store, owner)
    assert masked is not revealed
    assert (name, phone) == (("张三丰", "13812341234") if revealed else ("张**", "138****1234"))
