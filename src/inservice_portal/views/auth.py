"""Login and logout pages."""
import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from .. import login_sessions
from ..authentication import LoginFailed, authenticate
from ..forms import CSRFSchema, FormView
from ..resources.interfaces import IMinistry


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


@view_config(context=IMinistry, name="login", permission=NO_PERMISSION_REQUIRED,
             renderer="inservice_portal:templates/auth/login.pt")
class LoginView(FormView):
    schema = LoginSchema
    buttons = (deform.Button("submit", "登入"),)
    formid = "login-form"

    def appstruct(self):
        return {"came_from": self.request.params.get("came_from", "")}

    def submit_success(self, appstruct):
        try:
            account = authenticate(self.context, appstruct["login"], appstruct["password"])
        except LoginFailed as failed:
            form = self.make_form()
            form.error = colander.Invalid(form.schema, failed.message)
            appstruct = dict(appstruct, password="")
            return {"form": form.render(dict(appstruct, csrf_token=self.request.session.get_csrf_token())),
                    "page_title": "登入"}
        login_sessions.start(self.context, self.request, account)
        return HTTPSeeOther(safe_came_from(self.request, appstruct["came_from"]))

    def __call__(self):
        result = super().__call__()
        if isinstance(result, dict):
            result.setdefault("page_title", "登入")
        return result


@view_config(context=IMinistry, name="logout", permission=NO_PERMISSION_REQUIRED,
             request_method="POST")
def logout(context, request):
    login_sessions.end(context, request)
    request.session.flash("您已登出。")
    return HTTPSeeOther(request.application_url + "/")
