"""A questionnaire on a five-point scale (課程意見回饋問卷, 網站滿意度調查): each question a group
of radio buttons in a fieldset whose legend is the question (so a screen reader reads the
question with its choices), then a comment."""
import colander
import deform

from ..forms import CSRFSchema

TPL = "inservice_portal:templates/course/"
FORM = deform.widget.FormWidget(template="inservice_portal:templates/deform/form.pt",
                                item_template=TPL + "item.pt")


def likert(questions, scale: dict, comment_title: str, max_comment: int) -> CSRFSchema:
    """``questions``: (code, text) pairs; ``scale``: score → its words (5 非常同意 …)."""
    schema = CSRFSchema(widget=FORM)
    choices = [(str(score), f"{score} {words}") for score, words in scale.items()]
    for code, text in questions:
        schema.add(colander.SchemaNode(
            colander.Integer(), name=code, title=text, validator=colander.OneOf(list(scale)),
            widget=deform.widget.RadioChoiceWidget(template=TPL + "choices.pt", values=choices,
                                                   group=True, radiogroup=True),
            missing_msg=f"請回答「{text}」"))
    schema.add(colander.SchemaNode(
        colander.String(), name="comment", title=comment_title, missing="",
        validator=colander.Length(max=max_comment, max_err=f"請在 {max_comment} 字以內。"),
        widget=deform.widget.TextAreaWidget(template=TPL + "textarea.pt", rows=5)))
    return schema


def answered(appstruct: dict) -> tuple[dict, str]:
    """The scores by question code, and the comment, of a validated ``likert`` form."""
    scores = {k: v for k, v in appstruct.items() if k not in ("comment", "csrf_token")}
    return scores, appstruct.get("comment", "")
