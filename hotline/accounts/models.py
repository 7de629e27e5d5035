from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import ROLE_LABELS, Role


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("手机号", max_length=32, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    """A user holds a role in a unit. A user may hold several."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name="用户"
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.CASCADE, related_name="memberships", verbose_name="单位"
    )
    role = models.CharField(
        "角色", max_length=32, choices=[(r.value, ROLE_LABELS[r]) for r in Role]
    )

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="uniq_membership")
        ]
        indexes = [models.Index(fields=["role", "unit"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit} ({self.get_role_display()})"


class ApiToken(models.Model):
    """A bearer token. Only the SHA-256 of the key is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="tokens", verbose_name="用户"
    )
    key_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间")
    revoked = models.BooleanField("已吊销", default=False)

    class Meta:
        verbose_name = "访问令牌"
        verbose_name_plural = "访问令牌"

    def __str__(self) -> str:
        return f"token of {self.user_id}"


class LoginFailure(models.Model):
    """One failed login (wrong password, unknown user or refused while locked). The throttles
    count these rows, so every web process on every machine shares one count
    (``hotline.accounts.throttle``). Rows older than the window are pruned."""

    at = models.DateTimeField("时间")
    username = models.CharField("用户名", max_length=150)
    client = models.CharField("客户端地址", max_length=64)
    via = models.CharField("登录方式", max_length=16)

    class Meta:
        verbose_name = "登录失败"
        verbose_name_plural = "登录失败"
        indexes = [
            models.Index(fields=["username", "at"], name="login_failure_user_at"),
            models.Index(fields=["client", "at"], name="login_failure_client_at"),
            models.Index(fields=["at"], name="login_failure_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.client} at {self.at}"
