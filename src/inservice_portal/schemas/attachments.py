"""The upload field of 研習附件 (item 10) and of a shared handout's files: a bare file input,
and a type that judges the file by attachments.check (its content, never its name)."""
import colander
import deform

from ..courses import attachments
from ..forms import CSRFSchema

TPL = "inservice_portal:templates/course/"


class UploadWidget(deform.widget.Widget):
    """A bare <input type=file>: a refused file is chosen again, so no temporary store."""

    template = TPL + "file.pt"
    accept = ",".join(ext for _, exts in attachments.KINDS.values() for ext in exts)

    def serialize(self, field, cstruct, **kw):
        return field.renderer(self.template, **self.get_template_values(field, cstruct, kw))

    def deserialize(self, field, pstruct):
        if not getattr(pstruct, "filename", None):
            return colander.null
        return {"fp": pstruct.file, "filename": pstruct.filename}


class CheckedUpload(colander.SchemaType):
    """An uploaded file, judged by attachments.check (its content, not its name)."""

    def serialize(self, node, appstruct):
        return colander.null

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, None):
            return colander.null
        context = (node.bindings or {}).get("context")
        try:
            checked = attachments.check(cstruct["fp"], cstruct["filename"])
            attachments.check_room(getattr(context, "attachments", None), checked)
            return checked
        except attachments.Refused as refused:
            raise colander.Invalid(node, str(refused)) from None


ACCEPTED = (f"可上傳{attachments.ALLOWED}，每個檔案 "
            f"{attachments.MAX_BYTES // (1024 * 1024)} MB 以內，"
            f"最多 {attachments.MAX_FILES} 個檔案、合計 {attachments.MAX_TOTAL // (1024 * 1024)} MB。")


class UploadSchema(CSRFSchema):
    file = colander.SchemaNode(
        CheckedUpload(), title="10 研習附件：選擇檔案", widget=UploadWidget(),
        missing_msg="請選擇要上傳的檔案。", description=ACCEPTED)


class HandoutUploadSchema(CSRFSchema):
    file = colander.SchemaNode(
        CheckedUpload(), title="選擇要分享的檔案", widget=UploadWidget(),
        missing_msg="請選擇要上傳的檔案。", description=ACCEPTED)
