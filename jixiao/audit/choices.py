"""The actions the change log names, with their Chinese labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What a change-log row records. Services pick one; pages show its label."""

    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    REMOVE = "remove", _("移除（可恢复）")
    RESTORE = "restore", _("恢复")
    IMPORT = "import", _("导入")
    BIND = "bind", _("绑定口径")
    UNBIND = "unbind", _("解除口径")
    TRANSITION = "transition", _("流程流转")
    ATTACH = "attach", _("上传附件")
    DETACH = "detach", _("删除附件")
    OPEN = "open", _("开启")
    JOIN = "join", _("加入轮次")
    SAVE = "save", _("保存填报")
    SUBMIT = "submit", _("提交")
    ENDORSE = "endorse", _("单位审核通过")
    RETURN = "return", _("退回")
    APPROVE = "approve", _("审核通过")
    OVERRIDE = "override", _("调整得分")
    WITHDRAW_OVERRIDE = "withdraw_override", _("撤销得分调整")
    SETTINGS = "settings", _("修改规则设置")
    LOGIN = "login", _("登录")
    LOGOUT = "logout", _("退出登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED_OUT = "locked_out", _("账号锁定")
    UNLOCK = "unlock", _("解除锁定")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    PASSWORD_RESET = "password_reset", _("重置密码")
    ENABLE = "enable", _("启用账号")
    DISABLE = "disable", _("停用账号")
    BACKUP = "backup", _("备份")
    RESTORE_BACKUP = "restore_backup", _("从备份恢复")
    DEMO = "demo", _("载入演示数据")
    REVOKE = "revoke", _("撤销")
    REMIND = "remind", _("催报")
