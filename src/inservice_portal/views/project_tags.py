"""專案屬性標籤清單 (000 附件十 item 3-2): the ministry keeps the list courses choose from;
a tag is added, retired or restored, never deleted (courses keep the tags they carry)."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import audit, permissions
from ..courses import project_tags
from ..resources.interfaces import IMinistry

PAGE = "inservice_portal:templates/course/project_tags.pt"


@view_config(context=IMinistry, name="project-tags", permission=permissions.PROJECT_TAGS,
             request_method="GET", renderer=PAGE)
def tag_list(context, request):
    listed = project_tags.tags_of(context)
    return {"page_title": "專案屬性標籤清單", "rows": listed.rows() if listed else [],
            "csrf_token": request.session.get_csrf_token()}


@view_config(context=IMinistry, name="project-tags", permission=permissions.PROJECT_TAGS,
             request_method="POST")
def change(context, request):
    listed = project_tags.tags_of(context)
    if listed is None:
        listed = context.project_tags = project_tags.ProjectTags()
    action, name = request.POST.get("action"), project_tags.clean_name(request.POST.get("name"))
    if not name:
        request.session.flash("請填寫標籤名稱。")
    elif action == "retire":
        listed.retire(name)
        request.session.flash(f"已停用標籤「{name}」：新課程不能再選用，已使用的課程保留。")
    else:
        listed.add(name, request.account.login)
        request.session.flash(f"標籤「{name}」可供選用。")
    if name:
        audit.record(f"project_tag.{'retire' if action == 'retire' else 'add'}", context,
                     request=request, detail={"tag": name})
    return HTTPSeeOther(request.resource_url(context, "project-tags"))
