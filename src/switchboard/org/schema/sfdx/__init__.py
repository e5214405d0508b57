"""The SFDX source-format reader: custom objects, platform events and external objects.

``read_project(path)`` finds the ``objects`` folders of a project (through
``sfdx-project.json`` when there is one) and returns an :class:`SfdxProject`::

    project/sfdx-project.json            packageDirectories[].path
    force-app/main/default/objects/
        Broker__c/Broker__c.object-meta.xml
        Broker__c/fields/Email__c.field-meta.xml
        Account/fields/Tier__c.field-meta.xml      -> SfdxProject.extensions["Account"]
    force-app/main/default/globalValueSets/        picklists that name a value set

Metadata API format (``objects/Foo__c.object`` with inline fields) reads too.
"""

from ..errors import SfdxError
from .project import SfdxProject, read_project

__all__ = ["SfdxError", "SfdxProject", "read_project"]
