from zope.interface import Interface


class IFolder(Interface):
    """A BTree-backed container."""


class IUnit(Interface):
    """A unit of the hierarchy on which roles are granted (ministry, centre, organiser)."""


class IMinistry(IUnit):
    """The root."""


class IRegionCentre(IUnit):
    """分區管理(暨推廣)中心, or the national promotion centre."""


class IOrganiser(IUnit):
    """辦理研習單位."""


class ICourse(Interface):
    """研習課程."""


class IPeople(Interface):
    """The container of all accounts."""


class IAccount(Interface):
    """Any login."""


class ITeacher(IAccount):
    """教師個人帳號."""


class IStaff(IAccount):
    """業務帳號."""


class ISharingArea(Interface):
    """資源分享區: /sharing."""


class ISharingKind(Interface):
    """/sharing/handouts, /sharing/lecturers, /sharing/venues."""


class ISharedItem(Interface):
    """An item of the sharing area."""


class IHandout(ISharedItem):
    """研習教學檔案."""


class ILecturer(ISharedItem):
    """講師推薦."""


class IVenue(ISharedItem):
    """研習場所."""


class IRegistration(Interface):
    """線上報名: one teacher's registration for one course."""


class INewsRoom(Interface):
    """最新消息: /news."""


class INewsItem(Interface):
    """One news item of the ministry, the national centre or a region centre."""


class INewsletterRoom(Interface):
    """電子報: /newsletter, the issues and their archive."""


class INewsletterIssue(Interface):
    """One issue of the e-newsletter."""


class IFaq(Interface):
    """問答集: /faq, the national centre's questions and answers by category."""


class ITicket(Interface):
    """A question sent through 意見交流, and its answer."""


class ISurveys(Interface):
    """網站滿意度調查: /surveys, one survey a year."""


class ISurvey(Interface):
    """One year's satisfaction survey."""
