"""What each import file holds: canonical columns, their types, which ones are required.

The canonical column names are the database column names; headers in the user's files are
mapped onto them by `headers.py`. `kind` names the parser in `parse.py` that checks and
converts a column; `required` means the column must be present in the file and every row
must fill it (a few columns are required only for some rows, see `validate.py`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # parser: id text date birthday ts money price count points bool phone gender …
    zh: str
    en: str
    required: bool = False
    max_len: int | None = None

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class FileSpec:
    key: str  # the key of `import_files(files=…)` and the CLI option name
    table: str
    id_col: str  # upsert key (line items: replaced per transaction; tags: per member)
    zh: str
    en: str
    columns: tuple[Column, ...]
    # Several rows per id, replaced together: a re-import of a transaction's lines or a
    # member's tags replaces all of them, so a line or tag left out of the file is gone.
    many: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _id(name: str, zh: str, en: str, required: bool = True) -> Column:
    return Column(name, "id", zh, en, required, 64)


STORES = FileSpec("stores", "stores", "store_id", "门店", "stores", (
    _id("store_id", "门店编号", "store id"),
    Column("name", "text", "门店名称", "store name", True, 200),
    Column("region", "text", "区域", "region", True, 100),
    Column("city", "text", "城市", "city", False, 100),
    Column("opened_on", "date", "开业日期", "opening date"),
))

STAFF = FileSpec("staff", "staff", "staff_id", "员工", "staff", (
    _id("staff_id", "员工编号", "staff id"),
    Column("name", "text", "姓名", "name", True, 100),
    _id("store_id", "所属门店", "store id", required=False),
    Column("role", "role", "岗位", "role", True),
    Column("region", "text", "区域", "region", False, 100),
))

MEMBERS = FileSpec("members", "members", "member_id", "会员", "members", (
    _id("member_id", "会员编号", "member id"),
    Column("name", "text", "姓名", "name", False, 100),
    Column("phone", "phone", "手机号", "phone"),
    Column("gender", "gender", "性别", "gender"),
    Column("birthday", "birthday", "生日", "birthday"),
    Column("joined_at", "ts", "入会时间", "join time", True),
    _id("store_id", "所属门店", "store id"),
    _id("staff_id", "所属导购", "staff id", required=False),
    Column("tier", "text", "会员等级", "tier", False, 20),
    Column("points", "points", "积分", "points"),
    Column("wecom_added", "bool", "已加企微", "WeCom added"),
    Column("opt_out", "bool", "退订营销", "opted out"),
    Column("note", "text", "备注", "note", False, 500),
    # WeCom's external_userid (what customer mass-sends address); kept exactly as given,
    # it is case-sensitive. Empty for members who have not added the store's WeCom.
    Column("wecom_external_id", "text", "企微外部联系人ID", "WeCom external id", False, 64),
))

PRODUCTS = FileSpec("products", "products", "sku", "商品", "products", (
    _id("sku", "商品编码", "SKU"),
    Column("name", "text", "商品名称", "product name", True, 200),
    Column("category", "text", "品类", "category", True, 100),
    Column("price", "price", "单价", "price"),
))

TRANSACTIONS = FileSpec("transactions", "transactions", "tx_id", "交易", "transactions", (
    _id("tx_id", "单号", "transaction id"),
    _id("member_id", "会员编号", "member id", required=False),
    _id("store_id", "门店编号", "store id"),
    _id("staff_id", "导购编号", "staff id", required=False),
    Column("ts", "ts", "消费时间", "time", True),
    Column("amount", "money", "金额", "amount", True),
    Column("units", "count", "件数", "units", True),
    Column("channel", "channel", "渠道", "channel"),
))

ITEMS = FileSpec("items", "line_items", "tx_id", "交易明细", "line items", (
    _id("tx_id", "单号", "transaction id"),
    Column("line_no", "count", "行号", "line no"),
    _id("sku", "商品编码", "SKU"),
    Column("category", "text", "品类", "category", False, 100),
    Column("qty", "count", "数量", "quantity", True),
    Column("amount", "money", "金额", "amount", True),
), many=True)

# A member's tags: one row per tag. The file replaces the tags of every member it names.
TAGS = FileSpec("tags", "member_tags", "member_id", "会员标签", "member tags", (
    _id("member_id", "会员编号", "member id"),
    Column("dimension", "dimension", "标签维度", "dimension"),
    Column("tag", "text", "标签", "tag", True, 50),
), many=True)

# Load order: every file only references files before it.
SPECS: dict[str, FileSpec] = {
    s.key: s for s in (STORES, STAFF, MEMBERS, PRODUCTS, TRANSACTIONS, ITEMS, TAGS)
}
ORDER: tuple[str, ...] = tuple(SPECS)

# (file, column) -> the file whose id it must name.
REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "staff": (("store_id", "stores"),),
    "members": (("store_id", "stores"), ("staff_id", "staff")),
    "transactions": (("store_id", "stores"), ("staff_id", "staff"), ("member_id", "members")),
    "items": (("tx_id", "transactions"),),
    "tags": (("member_id", "members"),),
}

# Roles whose staff need not belong to one store; supervisors need a region instead.
ROLES = ("staff", "store_manager", "supervisor", "admin", "trainee")
STORELESS_ROLES = ("supervisor", "admin")
CHANNELS = ("store", "miniapp", "wecom", "live")
# Tag dimensions (the four of the member profile); a tag whose file gives none is OTHER.
DIMENSIONS = ("体貌", "个性", "偏好", "消费")
OTHER_DIMENSION = "其他"
