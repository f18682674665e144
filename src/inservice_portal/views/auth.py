"""Login (password, then the second factor), MFA enrolment, logout, password change and reset.

The login is in steps: the password; then, for an account with a second factor, a TOTP or
recovery code (登入驗證碼); a staff account without one is taken to enrol first and can do
nothing else until it has (mfa.py). Each step is a server-side session stage
(login_sessions.py): only a complete session is logged in.
"""
import colander
import deform
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from urllib.parse import quote

from ..accounts import (service as accounts_service, email_lookup, login_sessions, mfa,
                        password_reset)
from .. import audit, clock, permissions, throttle
from ..accounts.authentication import FAILURE_MESSAGE, LoginFailed, authenticate
from ..forms import CSRFSchema, FormView
from ..resources.interfaces import IMinistry
from ..concurrency.transactions import begin_anew
from ..accounts import passwords



class LoginSchema(CSRFSchema):
    login = colander.SchemaNode(
        colander.String(), title="帳號",
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "username"}))
    password = colander.SchemaNode(
        colander.String(), title="密碼",
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}))
    came_from = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget(),
                                    missing="")


def safe_came_from(request, value: str) -> str:
    """Only same-site paths: never an open redirect."""
    if value.startswith("/") and not value.startswith("//"):
        return request.application_url + value
    return request.application_url + "/"


def with_query(url: str, came_from: str) -> str:
    return f"{url}?came_from={quote(came_from, safe='/')}" if came_from else url


def render_error(view, appstruct, message, field=None, clear=(), status=400):
    """The form again with ``message`` (on ``field``, or for the whole form) and the entered
    values, minus the ``clear`` ones (passwords, codes)."""
    form = view.make_form()
    top = colander.Invalid(form.schema, None if field else message)
    if field:
        names = [child.name for child in form.schema.children]
        top.add(colander.Invalid(form.schema[field], message), names.index(field))
    form.widget.handle_error(form, top)
    values = {k: ("" if k in clear else v) for k, v in appstruct.items()}
    view.request.response.status = status
    return {"form": form.render(dict(values, csrf_token=view.request.session.get_csrf_token())),
            "page_title": view.page_title}


def complete_login(root, request, account, came_from, method):
    """The last step: a complete session, the audit entry, and on to the page asked for."""
    login_sessions.start(root, request, account)
    audit.record("login.success", account, request=request, root=root, actor=account.login,
                 detail={"method": method})
    return HTTPSeeOther(safe_came_from(request, came_from or landing_path(account)))


def landing_path(account) -> str:
    """Where a login with no page asked for lands: staff on their unit's 待辦事項 (issue 16),
    teachers and the rest on the home page."""
    unit = getattr(account, "unit", None) if account.kind == "staff" else None
    return f"{unit.rstrip('/')}/todo" if unit else "/"


@view_config(context=IMinistry, name="login", permission=NO_PERMISSION_REQUIRED,
             renderer="inservice_portal:templates/auth/login.pt")
class LoginView(FormView):
    schema = LoginSchema
    buttons = (deform.Button("submit", "登入"),)
    formid = "login-form"
    page_title = "登入"

    def appstruct(self):
        return {"came_from": self.request.params.get("came_from", "")}

    def submit_success(self, appstruct):
        root, request = self.context, self.request
        limits, client = throttle.of(request), throttle.client(request)
        limits.check("login.client", client)
        try:
            account = authenticate(root, appstruct["login"], appstruct["password"],
                                   begin_anew=lambda: begin_anew(request))
        except LoginFailed as failed:
            limits.hit("login.client", client)
            # The typed login is recorded only when it is an account's: a password typed into
            # the login field must not end up in the log.
            known = root["people"].get((appstruct["login"] or "").strip())
            audit.record("login.failure", known, request=request, root=root,
                         actor=known.login if known is not None else "anonymous",
                         detail={"step": "password"})
            return render_error(self, appstruct, failed.message, clear=("password",), status=200)
        came_from = appstruct["came_from"]
        if mfa.enrolled(account):
            login_sessions.start(root, request, account, stage=login_sessions.STAGE_OTP)
            return HTTPSeeOther(with_query(f"{request.application_url}/login-otp", came_from))
        if mfa.required_for(account):
            login_sessions.start(root, request, account, stage=login_sessions.STAGE_ENROL)
            return HTTPSeeOther(with_query(f"{request.application_url}/mfa", came_from))
        return complete_login(root, request, account, came_from, "password")


class OtpSchema(CSRFSchema):
    code = colander.SchemaNode(
        colander.String(), title="驗證碼",
        description="請輸入驗證器 App 顯示的 6 位數字；手機遺失時可輸入一組備用復原碼。",
        widget=deform.widget.TextInputWidget(attributes={
            "autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false",
            "autocapitalize": "off"}))
    came_from = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget(),
                                    missing="")


@view_config(context=IMinistry, name="login-otp", permission=NO_PERMISSION_REQUIRED,
             renderer="inservice_portal:templates/auth/otp.pt")
class OtpView(FormView):
    """登入驗證碼: the second step for an account with a second factor."""
    schema = OtpSchema
    buttons = (deform.Button("verify", "驗證"),)
    formid = "otp-form"
    page_title = "輸入登入驗證碼"

    def __call__(self):
        if login_sessions.pending(self.context, self.request, login_sessions.STAGE_OTP) is None:
            self.request.session.flash("登入驗證已逾時，請重新登入。")
            return HTTPSeeOther(f"{self.request.application_url}/login")
        return super().__call__()

    def appstruct(self):
        return {"came_from": self.request.params.get("came_from", "")}

    def verify_success(self, appstruct):
        root, request = self.context, self.request
        login = login_sessions.pending(root, request, login_sessions.STAGE_OTP)
        throttle.of(request).check("otp.client", throttle.client(request))
        account = root["people"].get(login)
        now = clock.now()
        if account is None or not account.active or account.is_locked(now):
            login_sessions.end(root, request)
            request.session.flash(FAILURE_MESSAGE)
            return HTTPSeeOther(f"{request.application_url}/login")
        code = appstruct["code"].strip()
        method = "totp" if code.replace(" ", "").isdigit() else "recovery_code"
        if mfa.verify_second_factor(account, code, now):
            account.record_success()
            return complete_login(root, request, account, appstruct["came_from"], method)
        account.record_failure(now)
        throttle.of(request).hit("otp.client", throttle.client(request))
        audit.record("login.failure", account, request=request, root=root, actor=account.login,
                     detail={"step": "second_factor"})
        if account.is_locked(now):
            login_sessions.end(root, request)
            request.session.flash(FAILURE_MESSAGE)
            return HTTPSeeOther(f"{request.application_url}/login")
        return render_error(self, appstruct, mfa.OTP_FAILURE, field="code", clear=("code",))


class EnrolSchema(CSRFSchema):
    code = colander.SchemaNode(
        colander.String(), title="驗證碼",
        description="掃描 QR Code 或輸入金鑰後，請輸入驗證器 App 顯示的 6 位數字。",
        widget=deform.widget.TextInputWidget(attributes={
            "autocomplete": "one-time-code", "inputmode": "numeric"}))
    secret = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget())
    came_from = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget(),
                                    missing="")


@view_config(context=IMinistry, name="mfa", permission=NO_PERMISSION_REQUIRED,
             renderer="inservice_portal:templates/auth/enrol.pt")
class EnrolView(FormView):
    """啟用兩步驟驗證: a new TOTP secret as a QR code and as text, confirmed by one code.

    The secret travels in the form (the page shows it anyway) so that the GET writes nothing;
    it is stored only once a code made from it proves the app holds it."""
    schema = EnrolSchema
    buttons = (deform.Button("enrol", "確認啟用"),)
    formid = "enrol-form"
    page_title = "啟用兩步驟驗證"

    def who(self):
        """(account, pending): the account enrolling, and whether it is mid-login."""
        root, request = self.context, self.request
        login = login_sessions.pending(root, request, login_sessions.STAGE_ENROL)
        if login is not None:
            return root["people"].get(login), True
        if request.account is not None and request.account is request.real_account:
            return request.account, False
        return None, False

    def __call__(self):
        account, pending = self.who()
        request = self.request
        if account is None:
            if self.request.real_account is not None:      # proxy mode: not someone else's
                raise HTTPForbidden()
            return HTTPSeeOther(with_query(f"{request.application_url}/login", "/mfa"))
        if mfa.enrolled(account):
            request.session.flash("您的帳號已啟用兩步驟驗證。")
            return HTTPSeeOther(f"{request.application_url}/account")
        self.account, self.pending = account, pending
        result = super().__call__()
        if isinstance(result, dict):
            secret = self.request.POST.get("secret") or self.secret
            result.update(self.enrolment(account, secret))
        return result

    def enrolment(self, account, secret):
        secret = mfa.normalise_secret(secret)
        return {"qr": mfa.qr_data_uri(mfa.provisioning_uri(account, secret)),
                "secret_text": mfa.grouped(secret), "required": mfa.required_for(account),
                "pending": self.pending}

    @property
    def secret(self):
        if not hasattr(self, "_secret"):
            self._secret = mfa.new_secret()
        return self._secret

    def appstruct(self):
        return {"secret": self.secret, "came_from": self.request.params.get("came_from", "")}

    def enrol_success(self, appstruct):
        root, request, account = self.context, self.request, self.account
        codes = mfa.enrol(account, appstruct["secret"], appstruct["code"])
        if codes is None:
            return render_error(self, appstruct, "驗證碼不正確，請確認手機時間正確後再試一次。",
                                field="code", clear=("code",))
        audit.record("mfa.enrol", account, request=request, root=root, actor=account.login)
        if self.pending:
            login_sessions.start(root, request, account)
            audit.record("login.success", account, request=request, root=root,
                         actor=account.login, detail={"method": "mfa_enrolment"})
        return {"page_title": "備用復原碼", "codes": codes, "form": None,
                "next_url": safe_came_from(request, appstruct["came_from"])}


class DisableMfaSchema(CSRFSchema):
    code = colander.SchemaNode(
        colander.String(), title="驗證碼",
        description="請輸入驗證器 App 目前顯示的 6 位數字，或一組備用復原碼。",
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "one-time-code"}))


@view_config(context=IMinistry, name="mfa-disable", permission=permissions.AUTHENTICATED,
             renderer="inservice_portal:templates/auth/simple_form.pt")
class DisableMfaView(FormView):
    """A teacher may turn the second factor off again (staff may not: it is required)."""
    schema = DisableMfaSchema
    buttons = (deform.Button("disable", "停用兩步驟驗證"),)
    formid = "mfa-disable-form"
    page_title = "停用兩步驟驗證"

    def __call__(self):
        account = self.request.account
        if (account is not self.request.real_account or mfa.required_for(account)
                or not mfa.enrolled(account)):
            raise HTTPForbidden()
        return super().__call__()

    def disable_success(self, appstruct):
        account = self.request.account
        if not mfa.verify_second_factor(account, appstruct["code"]):
            return render_error(self, appstruct, mfa.OTP_FAILURE, field="code", clear=("code",))
        mfa.reset(account)
        audit.record("mfa.reset", account, request=self.request, root=self.context,
                     detail={"by": account.login})
        self.request.session.flash("已停用兩步驟驗證。")
        return HTTPSeeOther(f"{self.request.application_url}/account")


@view_config(context=IMinistry, name="logout", permission=NO_PERMISSION_REQUIRED,
             request_method="POST")
def logout(context, request):
    account = request.real_account
    if account is not None:
        audit.record("logout", account, request=request, root=context)
    login_sessions.end(context, request)
    request.session.flash("您已登出。")
    return HTTPSeeOther(request.application_url + "/")


# --- passwords ---------------------------------------------------------------------------

def new_password_nodes():
    return [
        colander.SchemaNode(colander.String(), name="new_password", title="新密碼",
                            description="至少 8 個字元；業務帳號須含大寫、小寫、數字、符號其中三種，"
                                        "且不可與最近 3 次的密碼相同。",
                            widget=deform.widget.PasswordWidget(
                                attributes={"autocomplete": "new-password"})),
        colander.SchemaNode(colander.String(), name="repeat", title="再輸入一次新密碼",
                            widget=deform.widget.PasswordWidget(
                                attributes={"autocomplete": "new-password"})),
    ]


class ChangePasswordSchema(CSRFSchema):
    current = colander.SchemaNode(
        colander.String(), title="目前的密碼",
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}))

    def after_bind(self, node, kw):
        for child in new_password_nodes():
            node.add(child)


PASSWORD_FIELDS = ("current", "new_password", "repeat")


def set_new_password(view, appstruct, account, action, keep_sid=None):
    """Shared by change and reset: the repeat must match and the rules must pass."""
    if appstruct["new_password"] != appstruct["repeat"]:
        return render_error(view, appstruct, "兩次輸入的新密碼不一致。", field="repeat",
                            clear=PASSWORD_FIELDS)
    try:
        accounts_service.set_password(view.context, account, appstruct["new_password"],
                                      request=view.request, action=action, keep_sid=keep_sid)
    except accounts_service.PasswordRejected as rejected:
        return render_error(view, appstruct, " ".join(rejected.problems),
                            field="new_password", clear=PASSWORD_FIELDS)
    return None


@view_config(context=IMinistry, name="password", permission=permissions.AUTHENTICATED,
             renderer="inservice_portal:templates/auth/simple_form.pt")
class ChangePasswordView(FormView):
    """變更登入密碼: one's own, never in proxy mode."""
    schema = ChangePasswordSchema
    buttons = (deform.Button("change", "變更密碼"),)
    formid = "password-form"
    page_title = "變更登入密碼"

    def __call__(self):
        if self.request.account is not self.request.real_account:
            raise HTTPForbidden()
        return super().__call__()

    def change_success(self, appstruct):
        account = self.request.account
        if not passwords.verify(account.password_hash, appstruct["current"]):
            return render_error(self, appstruct, "目前的密碼不正確。", field="current",
                                clear=PASSWORD_FIELDS)
        sid = self.request.session.get(login_sessions.SESSION_KEY)
        failed = set_new_password(self, appstruct, account, "password.change", keep_sid=sid)
        if failed is not None:
            return failed
        self.request.session.flash("密碼已變更；其他裝置上的登入與存取權杖都已結束。")
        return HTTPSeeOther(f"{self.request.application_url}/account")


class ResetRequestSchema(CSRFSchema):
    login = colander.SchemaNode(
        colander.String(), title="帳號",
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "username"}))


RESET_SENT = ("若此帳號存在且留有電子郵件，重設密碼的連結已寄出，30 分鐘內有效、僅能使用一次。"
              "請查看您的信箱。")


@view_config(context=IMinistry, name="password-reset", permission=NO_PERMISSION_REQUIRED,
             renderer="inservice_portal:templates/auth/simple_form.pt")
class ResetRequestView(FormView):
    """忘記密碼: the same answer whether or not the login exists."""
    schema = ResetRequestSchema
    buttons = (deform.Button("send", "寄出重設連結"),)
    formid = "reset-request-form"
    page_title = "忘記密碼"

    def send_success(self, appstruct):
        throttle.of(self.request).take("mail.client", throttle.client(self.request))
        password_reset.request_reset(self.context, self.request, appstruct["login"])
        self.request.session.flash(RESET_SENT)
        return HTTPSeeOther(f"{self.request.application_url}/login")


class LoginReminderSchema(CSRFSchema):
    email = colander.SchemaNode(
        colander.String(), title="電子郵件信箱",
        validator=colander.Email(msg="電子郵件信箱格式不正確。"),
        description="帳號會寄到這個信箱（須是帳號已確認的信箱），不會顯示在畫面上。",
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "email", "type": "email"}))


REMINDER_SENT = ("若此信箱是本網站帳號已確認的電子郵件信箱，帳號已寄至該信箱。"
                 "請查看您的信箱；忘記密碼時，可再申請重設密碼。")


@view_config(context=IMinistry, name="forgot-login", permission=NO_PERMISSION_REQUIRED,
             renderer="inservice_portal:templates/auth/simple_form.pt")
class LoginReminderView(FormView):
    """忘記帳號 (issue 16): the logins go to the address typed, the page says the same for any
    address, so it tells nobody whether an address has an account."""
    schema = LoginReminderSchema
    buttons = (deform.Button("send", "寄出我的帳號"),)
    formid = "login-reminder-form"
    page_title = "忘記帳號"

    def send_success(self, appstruct):
        throttle.of(self.request).take("mail.client", throttle.client(self.request))
        email_lookup.remind(self.context, self.request, appstruct["email"])
        self.request.session.flash(REMINDER_SENT)
        return HTTPSeeOther(f"{self.request.application_url}/login")


class ResetSchema(CSRFSchema):
    token = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget())

    def after_bind(self, node, kw):
        for child in new_password_nodes():
            node.add(child)


@view_config(context=IMinistry, name="password-reset-confirm", permission=NO_PERMISSION_REQUIRED,
             renderer="inservice_portal:templates/auth/simple_form.pt")
class ResetView(FormView):
    """The e-mailed link: a new password, then the usual login (second factor included)."""
    schema = ResetSchema
    buttons = (deform.Button("reset", "設定新密碼"),)
    formid = "reset-form"
    page_title = "設定新密碼"

    def __call__(self):
        token = self.request.params.get("token")
        self.account = password_reset.account_for(self.context, token)
        if self.account is None:
            self.request.response.status = 410
            return {"page_title": "連結已失效", "form": None,
                    "message": "這個重設密碼連結無效、已使用過或已逾時（30 分鐘）。請重新申請。",
                    "link": (f"{self.request.application_url}/password-reset", "重新申請重設密碼")}
        return super().__call__()

    def appstruct(self):
        return {"token": self.request.params.get("token", "")}

    def reset_success(self, appstruct):
        failed = set_new_password(self, appstruct, self.account, "password.reset")
        if failed is not None:
            return failed
        password_reset.use_up(self.context, appstruct["token"])
        # No login here: the next login asks for the password and, if set, the second factor.
        self.request.session.flash("密碼已重設，請以新密碼登入。")
        return HTTPSeeOther(f"{self.request.application_url}/login")
