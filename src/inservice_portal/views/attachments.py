"""Uploaded files: a course's 研習附件 (item 10), a shared handout's files (資源分享區) and a
news item's (最新消息, ``@@files``: permission news.manage).

Upload and delete on the course's ``@@attachments`` (permission course.edit: the organiser's
staff while the course is a draft or returned) or the handout's ``@@files`` (sharing.edit: the
owner unit); download through ``@@download/<name>`` for whoever may view the object, always as
a download (never shown in the browser) with the checked content type. See attachments.py for
what is accepted."""
import deform
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import FileIter, Response
from pyramid.view import view_config

from ..courses import attachments
from .. import clock, permissions
from ..forms import FormView
from ..resources.interfaces import ICourse, IHandout, INewsItem
from ..schemas.attachments import HandoutUploadSchema, UploadSchema
from .downloads import content_disposition

TPL = "inservice_portal:templates/course/"
SANDBOX = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@view_config(context=ICourse, name="attachments", permission="course.edit",
             renderer=TPL + "attachments.pt")
@view_config(context=IHandout, name="files", permission="sharing.edit",
             renderer=TPL + "attachments.pt")
@view_config(context=INewsItem, name="files", permission="news.manage",
             renderer=TPL + "attachments.pt")
class AttachmentsView(FormView):
    buttons = (deform.Button("upload", "上傳"),)
    formid = "upload-form"

    def __call__(self):
        if self.request.method == "POST" and "delete" in self.request.POST:
            return self.delete(self.request.POST["delete"])
        result = super().__call__()
        if isinstance(result, dict):
            result.update(self.listing())
        return result

    @property
    def schema(self):
        return UploadSchema if ICourse.providedBy(self.context) else HandoutUploadSchema

    def titles(self) -> dict:
        """The page's title and its links back, for a course or a handout."""
        obj = self.context
        if ICourse.providedBy(obj):
            return {"page_title": f"研習附件：{obj.title}（{obj.code}）",
                    "back_title": "回到課程頁面", "edit_title": "修改課程資料",
                    "empty": "尚未上傳研習附件。"}
        if INewsItem.providedBy(obj):
            return {"page_title": f"消息附件：{obj.title}", "back_title": "回到消息",
                    "edit_title": "修改消息", "empty": "尚未上傳附件。"}
        return {"page_title": f"管理檔案：{obj.title}", "back_title": "回到分享項目",
                "edit_title": "修改分享內容", "empty": "尚未上傳檔案。"}

    def listing(self):
        course, request = self.context, self.request
        return {
            **self.titles(),
            "files": [{"name": name, "attachment": a, "size": attachments.human_size(a.size),
                       "url": request.resource_url(course, "@@download", name)}
                      for name, a in course.attachments.items()],
            "csrf_token": request.session.get_csrf_token(),
        }

    def here(self):
        return HTTPSeeOther(self.request.resource_url(self.context, "@@" + self.request.view_name))

    def upload_success(self, appstruct):
        _, attachment = attachments.store(self.context, appstruct["file"],
                                          self.request.account.login, clock.now())
        self.request.session.flash(f"已上傳「{attachment.filename}」。")
        return self.here()

    def delete(self, name):
        attachment = self.context.attachments.get(name)
        if attachment is None:
            raise HTTPNotFound()
        del self.context.attachments[name]
        self.request.session.flash(f"已刪除「{attachment.filename}」。")
        return self.here()


@view_config(context=ICourse, name="download", permission=permissions.VIEW, request_method="GET")
@view_config(context=IHandout, name="download", permission=permissions.VIEW, request_method="GET")
@view_config(context=INewsItem, name="download", permission=permissions.VIEW, request_method="GET")
def download(context, request):
    if not request.subpath:
        return HTTPSeeOther(request.resource_url(context, anchor="attachments"))
    attachment = context.attachments.get(request.subpath[0])
    if attachment is None:
        raise HTTPNotFound()
    response = Response(content_type=attachment.content_type)
    response.app_iter = FileIter(attachment.blob.open("r"))
    response.content_length = attachment.size
    response.headers["Content-Disposition"] = content_disposition(attachment.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"   # never sniffed into HTML
    # Opened in a tab all the same: no script, no plugin, no same-origin access.
    response.headers["Content-Security-Policy"] = SANDBOX
    return response
