"""Who gets what answer from every URL: the table the permission matrix test checks and
docs/permissions.md is generated from (``python -m tests.permissions.table`` rewrites it).

Each URL name maps to the answers for GET and POST, per persona. The objects the URLs name
belong to unit A (224001, the seed's unit, under 昌黎县财政局); "B" is another unit under the
same bureau; "other bureau" is 卢龙县财政局, which does not review unit A.

Answers: ``ok`` (the page, a download, or a redirect after the action — the person may do
it; a refusal of the input itself, such as a missing comment, is still ``ok``), ``login``
(sent to the login page), ``403`` (in reach but the role may not), ``404`` (outside reach: the
same answer as for an object that does not exist), ``405`` (the URL does not take the method).
"""

from __future__ import annotations

from pathlib import Path

PERSONAS = {
    "anonymous": "未登录",
    "officer": "A 单位填报员",
    "head": "A 单位负责人",
    "officer_b": "B 单位填报员",
    "reviewer": "A 所属财政局审核员",
    "admin": "A 所属财政局管理员",
    "auditor": "A 所属财政局审计",
    "other_reviewer": "其他财政局审核员",
}
OK, LOGIN, FORBIDDEN, MISSING, NOT_ALLOWED = "ok", "login", "403", "404", "405"
UNAUTHORIZED = "401"  # the API: no valid token or session
UNIT_PEOPLE = ("officer", "head")
BUREAU_PEOPLE = ("reviewer", "admin", "auditor")
OUTSIDERS = ("officer_b", "other_reviewer")

Answers = dict[str, str]


def answers(default: str, **by_persona: str) -> Answers:
    """Every persona's answer: the default, with the given exceptions (anonymous: login)."""
    table = {persona: default for persona in PERSONAS}
    table["anonymous"] = LOGIN
    table.update(by_persona)
    return table


def everyone(answer: str = OK) -> Answers:
    """Every logged-in person gets the same answer."""
    return answers(answer)


def read_a() -> Answers:
    """Reading an object of unit A: the unit's people and its bureau's; outsiders get 404."""
    return answers(OK, officer_b=MISSING, other_reviewer=MISSING)


def write_a() -> Answers:
    """Changing unit A's data: its officer and head; its bureau reads but may not change."""
    return answers(
        OK,
        officer_b=MISSING,
        other_reviewer=MISSING,
        reviewer=FORBIDDEN,
        admin=FORBIDDEN,
        auditor=FORBIDDEN,
    )


def keepers() -> Answers:
    """Pages for people who keep some unit's data (officers and heads, of any unit)."""
    return answers(
        OK, reviewer=FORBIDDEN, admin=FORBIDDEN, auditor=FORBIDDEN, other_reviewer=FORBIDDEN
    )


def review_a() -> Answers:
    """The bureau's review of unit A's report: its reviewer only."""
    return answers(
        FORBIDDEN,
        reviewer=OK,
        officer_b=MISSING,
        other_reviewer=MISSING,
    )


def bureau_admin() -> Answers:
    """The bureau administrator's pages (accounts, units)."""
    return answers(FORBIDDEN, admin=OK)


def public() -> Answers:
    """A public page (no login): everyone, anonymous too, gets it."""
    return {persona: OK for persona in PERSONAS}


def public_page() -> dict[str, Answers]:
    """A public read-only page: GET for everyone, POST 405 for everyone (anonymous too)."""
    return {"GET": public(), "POST": {persona: NOT_ALLOWED for persona in PERSONAS}}


def not_allowed(base: Answers) -> Answers:
    """A method the URL does not take: 405 for anyone logged in."""
    return {p: (LOGIN if p == "anonymous" else NOT_ALLOWED) for p in base}


def page(get: Answers, post: Answers | None = None) -> dict[str, Answers]:
    """A URL's answers: GET, and POST (405 when it takes no POST)."""
    return {"GET": get, "POST": post if post is not None else not_allowed(get)}


def action(post: Answers, get: Answers | None = None) -> dict[str, Answers]:
    """A POST-only URL (GET answers 405)."""
    return {"GET": get if get is not None else not_allowed(post), "POST": post}


def api(base: Answers) -> Answers:
    """An API endpoint's answers: the pages' answers, but 401 (not a login page) when anonymous."""
    return {**base, "anonymous": UNAUTHORIZED}


def api_only(method: str, answers_: Answers) -> dict[str, Answers]:
    """An API endpoint taking one method; ninja answers every other one 405, before any login."""
    refused = {p: NOT_ALLOWED for p in PERSONAS}
    methods = {m: refused for m in ("GET", "POST")}
    methods[method] = api(answers_)
    return methods


# What a URL is for, in Chinese, for docs/permissions.md.
PURPOSE: dict[str, str] = {}


def entry(name: str, purpose: str, answers_: dict[str, Answers]) -> tuple[str, dict[str, Answers]]:
    PURPOSE[name] = purpose
    return name, answers_


MATRIX: dict[str, dict[str, Answers]] = dict(
    [
        # Logging in and out, one's own password
        entry(
            "login",
            "登录",
            page(everyone(), everyone())
            | {"GET": answers(OK, anonymous=OK), "POST": answers(OK, anonymous=OK)},
        ),
        # Logging out answers with the login page, for everyone.
        entry(
            "logout",
            "退出登录",
            {"GET": answers(NOT_ALLOWED, anonymous=NOT_ALLOWED), "POST": answers(LOGIN)},
        ),
        entry("accounts:password", "修改本人密码", page(everyone(), everyone())),
        # Accounts, units and settings of a bureau
        entry("accounts:list", "账号列表", page(bureau_admin())),
        entry("accounts:new", "新建账号", page(bureau_admin(), bureau_admin())),
        entry(
            "accounts:detail",
            "账号详情、修改姓名和角色（A 单位填报员的账号）",
            page(bureau_admin(), bureau_admin()),
        ),
        entry("accounts:active", "停用/启用账号", action(bureau_admin())),
        entry("accounts:reset_password", "重置密码", action(bureau_admin())),
        entry("accounts:unlock", "解除账号锁定", action(bureau_admin())),
        entry("accounts:unlock_address", "解除地址锁定（系统管理员）", action(answers(MISSING))),
        entry("accounts:units", "本局所辖单位、新建单位", page(bureau_admin(), bureau_admin())),
        entry(
            "accounts:settings_index",
            "绩效规则设置入口",
            page(answers(FORBIDDEN, reviewer=OK, admin=OK, auditor=OK, other_reviewer=OK)),
        ),
        entry(
            "accounts:settings",
            "A 所属财政局的绩效规则设置",
            page(
                answers(MISSING, reviewer=OK, admin=OK, auditor=OK),
                answers(MISSING, reviewer=FORBIDDEN, admin=OK, auditor=FORBIDDEN),
            ),
        ),
        entry(
            "audit:log",
            "审计日志（各人只见其范围）",
            page(answers(OK, officer=FORBIDDEN, officer_b=FORBIDDEN)),
        ),
        # Targets
        entry(
            "workbench:home",
            "工作台（各人只见其范围内的单位；财政局人员转到财政总览）",
            page(everyone()),
        ),
        entry(
            "workbench:overview",
            "财政总览（本财政局的全部单位和项目）",
            page(answers(OK, officer=FORBIDDEN, head=FORBIDDEN, officer_b=FORBIDDEN)),
        ),
        entry(
            "workbench:remind",
            "对 A 所属财政局的填报轮次催报",
            action(
                answers(FORBIDDEN, reviewer=OK, admin=OK, officer_b=MISSING, other_reviewer=MISSING)
            ),
        ),
        entry("targets:index", "绩效目标表（各人只见其范围内的单位）", page(everyone())),
        entry(
            "targets:export",
            "下载 A 单位的目标表（POST：后台生成）",
            page(read_a(), read_a()),
        ),
        entry("targets:import", "导入目标文档", page(keepers(), keepers())),
        entry("targets:preview", "导入预览", page(keepers())),
        entry("targets:confirm", "确认导入", action(keepers())),
        entry("targets:history", "A 单位项目的修订历史", page(read_a())),
        entry("targets:restore", "恢复已移除的指标", action(write_a())),
        entry("targets:edit", "在网页上编辑 A 单位项目的绩效目标表", page(write_a(), write_a())),
        entry("targets:parse", "解析输入中的指标值（编辑表格时）", page(everyone())),
        entry(
            "targets:goal_edit", "在网页上编辑 A 单位的单位整体绩效目标", page(write_a(), write_a())
        ),
        # Ledgers
        entry("ledgers:index", "台账（各人只见其范围）", page(everyone())),
        entry("ledgers:quality", "台账数据质量（各人只见其范围）", page(everyone())),
        entry("ledgers:records", "某类台账的记录列表", page(everyone())),
        entry("ledgers:new", "新增台账记录（本人可维护的单位）", page(keepers(), keepers())),
        entry("ledgers:entry", "A 单位的一条台账记录", page(read_a())),
        entry("ledgers:edit", "修改 A 单位的台账记录", page(write_a(), write_a())),
        entry("ledgers:transition", "台账记录流程流转", action(write_a())),
        entry("ledgers:attach", "上传附件", action(write_a())),
        entry("ledgers:attachment", "下载 A 单位的附件", page(read_a())),
        entry("ledgers:attachment_delete", "删除附件（可恢复）", action(write_a())),
        entry("ledgers:attachment_restore", "恢复附件", action(write_a())),
        entry("ledgers:import", "导入台账", page(keepers(), keepers())),
        entry("ledgers:import_mapping", "导入台账：列对应", page(keepers(), keepers())),
        entry("ledgers:import_check", "导入台账：检查", page(keepers(), keepers())),
        entry("ledgers:import_confirm", "导入台账：确认", action(keepers())),
        entry("ledgers:export_pick", "导出台账", page(everyone())),
        entry("ledgers:export", "下载台账（本人范围内）", page(everyone())),
        # Actuals
        entry("metrics:index", "实际完成值（各人只见其范围）", page(everyone())),
        entry("metrics:records", "A 单位指标的计数记录", page(read_a())),
        entry("metrics:manual", "手工填报 A 单位指标的实际完成值", page(read_a(), write_a())),
        # The matrix's report is a monitoring report: its draft pages are refused to everyone in
        # reach (403); jixiao/rounds/tests/test_target_round_pages.py and test_target_goal.py
        # try a target round's.
        entry(
            "rounds:draft",
            "目标申报/调整轮次中编辑项目目标表草稿（对监控填报一律拒绝）",
            page(
                answers(FORBIDDEN, officer_b=MISSING, other_reviewer=MISSING),
                answers(FORBIDDEN, officer_b=MISSING, other_reviewer=MISSING),
            ),
        ),
        entry(
            "rounds:rebase",
            "目标申报/调整轮次中把项目草稿更新到现行目标表（对监控填报一律拒绝）",
            action(answers(FORBIDDEN, officer_b=MISSING, other_reviewer=MISSING)),
        ),
        entry(
            "rounds:goal_draft",
            "目标申报/调整轮次中编辑部门整体绩效目标草稿（对监控填报一律拒绝）",
            page(
                answers(FORBIDDEN, officer_b=MISSING, other_reviewer=MISSING),
                answers(FORBIDDEN, officer_b=MISSING, other_reviewer=MISSING),
            ),
        ),
        entry(
            "rounds:goal_rebase",
            "目标申报/调整轮次中把整体目标草稿更新到现行整体目标（对监控填报一律拒绝）",
            action(answers(FORBIDDEN, officer_b=MISSING, other_reviewer=MISSING)),
        ),
        entry("metrics:binding", "A 单位指标的口径（查看；设置、解除）", page(read_a(), write_a())),
        entry("metrics:fractions", "设置 A 单位指标的实际值按小数填写", action(write_a())),
        entry("metrics:evidence", "下载佐证材料", page(read_a())),
        entry("metrics:evidence_remove", "删除佐证材料（可恢复）", action(write_a())),
        entry("metrics:evidence_restore", "恢复佐证材料", action(write_a())),
        # Monitoring, self-evaluation and the review loop
        entry("rounds:monitoring", "运行监控（各人只见其范围）", page(everyone())),
        entry(
            "rounds:monitoring_download",
            "下载 A 单位的监控表（POST：后台生成）",
            page(read_a(), read_a()),
        ),
        entry("rounds:evaluation", "绩效自评（各人只见其范围）", page(everyone())),
        entry(
            "rounds:evaluation_download",
            "下载 A 单位的自评表（POST：后台生成）",
            page(read_a(), read_a()),
        ),
        entry(
            "rounds:index",
            "填报轮次；开启轮次",
            page(everyone(), answers(FORBIDDEN, admin=OK)),
        ),
        entry(
            "rounds:join",
            "为后加入的单位建立填报",
            action(answers(FORBIDDEN, admin=OK, officer_b=MISSING, other_reviewer=MISSING)),
        ),
        entry("rounds:report", "A 单位的填报", page(read_a())),
        entry("rounds:save", "保存填报内容", action(write_a())),
        entry("rounds:submit", "提交填报", action(write_a())),
        entry(
            "rounds:decide:endorse",
            "单位负责人审核通过",
            action(answers(FORBIDDEN, head=OK, officer_b=MISSING, other_reviewer=MISSING)),
        ),
        entry("rounds:decide:return", "退回（财政审核阶段）", action(review_a())),
        entry("rounds:decide:approve", "财政审核通过", action(review_a())),
        entry("rounds:override", "调整得分", action(review_a())),
        entry("rounds:submission", "A 单位某次提交的快照", page(read_a())),
        entry(
            "rounds:report_download",
            "下载 A 单位的填报（POST：后台生成）",
            page(read_a(), read_a()),
        ),
        # Background jobs (an export of unit A asked by its officer) and the inbox
        entry("jobs:detail", "A 单位导出任务的进度页", page(read_a())),
        entry("jobs:status", "A 单位导出任务的进度（页面轮询）", page(read_a())),
        entry("jobs:download", "下载 A 单位导出任务的文件", page(read_a())),
        entry("notifications:inbox", "本人的消息", page(everyone())),
        entry(
            "search:index",
            "搜索（各人只见其范围内的项目、指标、台账记录和填报）",
            page(everyone()),
        ),
        entry(
            "notifications:open",
            "打开 A 单位填报员的一条消息（标为已读并转到链接）",
            page(answers(MISSING, officer=OK)),
        ),
        entry(
            "notifications:read",
            "将 A 单位填报员的一条消息标为已读",
            action(answers(MISSING, officer=OK)),
        ),
        entry("notifications:read_all", "本人消息全部标为已读", action(everyone())),
        entry("notifications:preferences", "本人的邮件提醒设置", action(everyone())),
        # Satisfaction surveys (A 单位的问卷); the public form needs no login
        entry("surveys:index", "满意度调查列表；新建问卷", page(everyone(), keepers())),
        entry("surveys:detail", "A 单位的问卷（链接、二维码、题目）", page(read_a())),
        entry("surveys:settings", "修改问卷设置", action(write_a())),
        entry("surveys:questions", "修改问卷题目", action(write_a())),
        entry("surveys:status", "开始/结束收集", action(write_a())),
        entry("surveys:invitations", "邀请码（打印）；生成邀请码", page(read_a(), write_a())),
        entry("surveys:qr", "问卷二维码（SVG/PNG）", page(read_a())),
        entry("surveys:poster", "问卷海报（打印）", page(read_a())),
        entry("surveys:results", "问卷统计结果", page(read_a())),
        entry("surveys:export", "导出问卷结果（Excel，不含作废答卷）", page(read_a())),
        entry(
            "surveys:responses",
            "问卷答卷明细；作废答卷（本单位填报员、负责人）",
            page(read_a(), write_a()),
        ),
        entry(
            "surveys_public:answer",
            "公众填写问卷（凭问卷链接码，无需登录）",
            page(public(), public()),
        ),
        entry(
            "surveys_public:invited", "公众填写问卷（凭邀请码，无需登录）", page(public(), public())
        ),
        # Publication (信息公开); the public pages need no login
        entry("publication:index", "信息公开（各人只见其范围；审核员可发布）", page(everyone())),
        entry(
            "publication:publish",
            "发布信息公开（财政审核员）",
            action(answers(FORBIDDEN, reviewer=OK, other_reviewer=OK)),
        ),
        entry("publication:withdraw", "撤回 A 单位的信息公开", action(review_a())),
        entry("publication_public:index", "信息公开目录（公开，无需登录）", public_page()),
        entry("publication_public:page", "已公开的目标或自评（公开，凭链接码）", public_page()),
        entry("publication_public:pdf", "已公开内容的 PDF（公开，凭链接码）", public_page()),
        # The API (/api/, docs/api.md): a token or the session, with the pages' permissions
        entry(
            "api:openapi-view",
            "接口文档（Swagger UI）",
            api_only("GET", everyone()) | {"GET": answers(OK, anonymous=OK)},  # public
        ),
        entry(
            "api:openapi-json",
            "接口说明（OpenAPI）",
            api_only("GET", everyone()) | {"GET": answers(OK, anonymous=OK)},  # public
        ),
        entry(
            "api:api-root",
            "接口根路径（无内容，文档在 /api/docs）",
            {
                "GET": answers(MISSING, anonymous=MISSING),
                "POST": answers(MISSING, anonymous=MISSING),
            },
        ),
        entry(
            "api:not-found",
            "接口下不存在的路径（JSON 404，任何方法）",
            {
                "GET": answers(MISSING, anonymous=MISSING),
                "POST": answers(MISSING, anonymous=MISSING),
            },
        ),
        entry("api:me", "接口：当前账号", api_only("GET", everyone())),
        entry("api:units", "接口：范围内的单位", api_only("GET", everyone())),
        entry("api:projects", "接口：A 单位某年的项目和指标", api_only("GET", read_a())),
        entry("api:project", "接口：A 单位的一个项目", api_only("GET", read_a())),
        entry("api:actuals", "接口：A 单位某年的实际完成值", api_only("GET", read_a())),
        entry("api:monitoring", "接口：A 单位的运行监控", api_only("GET", read_a())),
        entry("api:evaluation", "接口：A 单位的绩效自评", api_only("GET", read_a())),
        entry("api:ledger_types", "接口：A 单位的台账类型", api_only("GET", read_a())),
        entry(
            "api:records",
            "接口：台账记录列表（本人范围）；在 A 单位新增记录",
            {"GET": api(everyone()), "POST": api(write_a())},
        ),
        entry(
            "api:record",
            "接口：A 单位的一条台账记录；修改",
            api_only("GET", read_a()) | {"PUT": api(write_a())},
        ),
        entry("api:transition", "接口：台账记录流程流转", api_only("POST", write_a())),
        entry(
            "api:bulk", "接口：批量导入 A 单位的台账记录（全部或全不）", api_only("POST", write_a())
        ),
        entry("api_tokens:list", "本人的接口令牌；创建令牌", page(everyone(), everyone())),
        entry(
            "api_tokens:revoke",
            "撤销接口令牌（A 单位填报员的令牌：仅本人）",
            action(answers(MISSING, officer=OK)),
        ),
        entry(
            "api_tokens:managed",
            "所管理账号的接口令牌（财政管理员：本局及所辖单位的账号）",
            page(bureau_admin()),
        ),
        entry(
            "api_tokens:managed_revoke",
            "撤销所管理账号的接口令牌（A 单位填报员的令牌）",
            action(bureau_admin()),
        ),
        # The Django admin: only superusers (staff) get past its own login page
        entry("admin:*", "管理后台（只读；仅系统管理员）", page(answers(LOGIN), answers(LOGIN))),
        entry(
            "admin:login",
            "管理后台的登录页（非系统管理员登录后仍无权进入）",
            page(answers(OK, anonymous=OK), answers(OK, anonymous=OK)),
        ),
        entry(
            "admin:logout",
            "管理后台的退出",
            page(answers(OK, anonymous=OK), answers(OK, anonymous=OK)),
        ),
    ]
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
LABELS = {
    OK: "✓",
    LOGIN: "登录",
    UNAUTHORIZED: "401",
    FORBIDDEN: "403",
    MISSING: "404",
    NOT_ALLOWED: "—",
}


def markdown() -> str:
    """docs/permissions.md, from the table."""
    head = [
        "# 权限表（Permissions）",
        "",
        "Generated from `tests/permissions/table.py` by `python -m tests.permissions.table`;",
        "the permission matrix test (`tests/permissions/test_matrix.py`) requests every URL",
        "with every method as each persona below and checks these answers. Do not edit by hand.",
        "",
        "The objects a URL names belong to unit A (224001 under 昌黎县财政局). Unit B is another",
        "unit of the same bureau; “其他财政局” does not review unit A. Superusers (the server",
        "operator's accounts) may do everything except what separation of duties forbids:",
        "nobody approves or overrides their own unit's submission, and whoever submitted a",
        "report cannot approve it at any step. The command line is the server operator's tool",
        "and acts with every permission; its changes are recorded in the audit log.",
        "",
        "✓ allowed (the page, the file, or the action done) · 登录 sent to the login page ·",
        "401 the API without a valid token or session · 403 in reach but not allowed for the",
        "role · 404 outside reach (the same answer as for a missing object) · — the URL does",
        "not take the method.",
        "",
    ]
    personas = list(PERSONAS)
    rows = [
        "| URL | 用途 | 方法 | " + " | ".join(PERSONAS[p] for p in personas) + " |",
        "|---|---|---|" + "---|" * len(personas),
    ]
    for name, methods in MATRIX.items():
        for method, table in methods.items():
            if all(table[p] == NOT_ALLOWED for p in personas if p != "anonymous"):
                continue  # a method the URL does not take: nothing to say
            cells = " | ".join(LABELS[table[p]] for p in personas)
            rows.append(f"| `{name}` | {PURPOSE[name]} | {method} | {cells} |")
    return "\n".join(head + rows) + "\n"


if __name__ == "__main__":
    DOC.write_text(markdown(), encoding="utf-8")
    print(f"wrote {DOC}")
