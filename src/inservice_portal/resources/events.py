"""Object events, fired by containers and services; catalog and workflow subscribe to them."""
from zope.interface import Attribute, Interface, implementer
from pyramid.threadlocal import get_current_registry


class IObjectEvent(Interface):
    object = Attribute("the object")
    parent = Attribute("its container")
    name = Attribute("its name in the container")


class IObjectAdded(IObjectEvent):
    """After an object is stored in a container."""


class IObjectWillBeRemoved(IObjectEvent):
    """Before an object leaves its container (it still has its lineage)."""


class IObjectModified(IObjectEvent):
    """After an object's data changed."""


@implementer(IObjectEvent)
class _ObjectEvent:
    def __init__(self, object, parent=None, name=None):
        self.object = object
        self.parent = parent if parent is not None else getattr(object, "__parent__", None)
        self.name = name if name is not None else getattr(object, "__name__", None)


@implementer(IObjectAdded)
class ObjectAdded(_ObjectEvent):
    pass


@implementer(IObjectWillBeRemoved)
class ObjectWillBeRemoved(_ObjectEvent):
    pass


@implementer(IObjectModified)
class ObjectModified(_ObjectEvent):
    pass


def notify(event, registry=None):
    """Fire through the Pyramid registry (subscribers are registered with config.add_subscriber)."""
    if registry is None:
        registry = get_current_registry()
    registry.notify(event)
