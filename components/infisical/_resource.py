"""The resource class every Infisical resource is: a typed Args in, the declared properties out.

A resource class names only its Args type and its provider; its property bag, its outputs and its secret
outputs come from the provider's `Schema` (itself read from the Args dataclass). Every declared property is
an attribute of the resource after construction (``env.slug``, ``folder.path``), typed `pulumi.Output`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import pulumi
import pulumi.dynamic

from ._provider import InfisicalProvider

A = TypeVar("A")


class InfisicalResource(pulumi.dynamic.Resource, Generic[A]):
    """Base of the resource classes: ``class Folder(InfisicalResource[FolderArgs], provider=FolderProvider)``."""

    provider_class: ClassVar[type[InfisicalProvider]]

    def __init_subclass__(cls, *, provider: type[InfisicalProvider], **kwargs: Any) -> None:
        super().__init_subclass__(module="infisical", name=cls.__name__, **kwargs)
        cls.provider_class = provider

    def __init__(self, resource_name: str, args: A, opts: pulumi.ResourceOptions | None = None) -> None:
        provider = self.provider_class()
        schema = provider.schema
        super().__init__(provider, resource_name, schema.props(args), schema.options(opts))

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> pulumi.Output[Any]: ...
