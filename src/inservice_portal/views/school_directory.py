"""學校代碼清單匯入 (accounts/school_directory.py): the ministry uploads the school code list,
sees what differs from the portal, and applies it on confirmation. The confirmation carries
the list itself (read and compared again), so what is applied is what the portal holds then."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import audit, permissions
from ..accounts import school_directory as directory
from ..resources.interfaces import IMinistry

PAGE = "inservice_portal:templates/units/school_directory.pt"
KINDS = {"new": "新增", "renamed": "更名", "closed": "停辦", "merged": "裁併"}


def page(request, changes=None, listing="", problems=None, count=0):
    return {"page_title": "學校代碼清單匯入", "changes": changes, "kinds": KINDS,
            "listing": listing, "problems": problems or {}, "count": count,
            "csrf_token": request.session.get_csrf_token()}


@view_config(context=IMinistry, name="school-directory", permission=permissions.SCHOOL_DIRECTORY,
             request_method="GET", renderer=PAGE)
def upload_form(context, request):
    return page(request)


@view_config(context=IMinistry, name="school-directory", permission=permissions.SCHOOL_DIRECTORY,
             request_method="POST", renderer=PAGE)
def preview_or_apply(context, request):
    upload = request.POST.get("file")
    try:
        if request.POST.get("action") == "apply":
            schools = directory.read(request.POST.get("listing", "").encode(), "listing.csv")
        elif hasattr(upload, "file"):
            schools = directory.read(upload.file.read(directory.MAX_BYTES + 1), upload.filename)
        else:
            raise directory.BadDirectory({"檔案": "請選擇要上傳的學校代碼清單（CSV 或 XLSX）。"})
    except directory.BadDirectory as bad:
        request.response.status = 400
        return page(request, problems=bad.problems)
    changes = directory.differences(context, schools)
    if request.POST.get("action") != "apply":
        return page(request, changes, directory.as_csv(schools), count=len(schools))
    reason = request.POST.get("reason", "").strip()[:200] or "學校代碼清單更新"
    done = directory.apply(context, changes, request.account.login, reason)
    audit.record("school_directory.apply", context, request=request,
                 detail={KINDS[k]: n for k, n in done.items()})
    request.session.flash("已套用學校代碼清單：" + ("、".join(f"{KINDS[k]} {n} 校"
                                                         for k, n in done.items()) or "沒有變更"))
    return HTTPSeeOther(request.resource_url(context, "school-directory"))
