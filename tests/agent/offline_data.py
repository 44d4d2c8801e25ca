"""A small vocabulary and the people of the offline-model tests (data as on 2026-07-01)."""

from __future__ import annotations

from copilot.agent.offline.vocab import Vocabulary
from copilot.agent.toolkit import TurnInfo
from copilot.lang.stores import StoreRow

VOCAB = Vocabulary.of(
    [StoreRow("S001", "北京朝阳大悦城店", "华北", "北京"),
     StoreRow("S002", "北京西单大悦城店", "华北", "北京"),
     StoreRow("S003", "北京三里屯太古里店", "华北", "北京"),
     StoreRow("S005", "天津和平大悦城店", "华北", "天津"),
     StoreRow("S013", "杭州湖滨银泰in77店", "华东", "杭州"),
     StoreRow("S026", "深圳福田COCO Park店", "华南", "深圳")],
    ["外套", "连衣裙", "鞋履"], ["价格敏感", "爱用券", "怕打扰", "会员日必到"], {"张东": "E0002"})
STAFF = TurnInfo("2026-07-01", "E0003", "李娜", "staff", "S001", "北京朝阳大悦城店", "华北", False)
SUPERVISOR = TurnInfo("2026-07-01", "E0220", "王强", "supervisor", None, None, "华北", False)
ADMIN = TurnInfo("2026-07-01", "E0223", "赵敏", "admin", None, None, None, False)
TRAINEE = TurnInfo("2026-07-01", "E0009", "钱多", "trainee", "S001", "北京朝阳大悦城店", "华北",
                   False)
ROLES = {"staff": STAFF, "supervisor": SUPERVISOR, "admin": ADMIN, "trainee": TRAINEE}
