"""The public course page (minimal; the course issue adds every field of 附件十)."""
from pyramid.view import view_config

from .. import permissions
from ..resources.interfaces import ICourse


@view_config(context=ICourse, renderer="inservice_portal:templates/public/course.pt",
             permission=permissions.VIEW, request_method="GET")
def course_page(context, request):
    return {"page_title": context.title}
