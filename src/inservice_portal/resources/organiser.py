"""辦理研習單位: a school, university, agency… that opens courses."""
from zope.interface import implementer

from .interfaces import IOrganiser
from .units import Unit


APPLIED, ACTIVE = "applied", "active"   # a unit that applied to join waits for its centre


@implementer(IOrganiser)
class Organiser(Unit):
    state = ACTIVE
    ownership = None                # national | private | county, for Art. 11 (2)/(4)
    stage = None                    # for schools: the highest stage taught
    school_type = None              # for schools: a key of vocabularies.school_types
    authority = None                # for teacher-training centres: central | local
    accreditation = None            # for social education: by_law | panel (Art. 11 (5))
    merged_into = None              # the code of the school a merged one joined

    def __init__(self, code, name, kind, county=None, address="", phone="", email=""):
        super().__init__()
        self.code = code
        self.title = name
        self.kind = kind            # a key of vocabularies.organiser_kinds
        self.county = county
        self.address = address
        self.phone = phone
        self.email = email

    @property
    def unit_kind(self):
        return self.kind

    @property
    def centre(self):
        return self.__parent__
