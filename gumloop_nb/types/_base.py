"""The base model every request/response type shares: extras kept, §10.4 ``build``, dict access.

Every Gumloop model keeps unknown wire keys (``extra="allow"``) so a newer server never breaks an
older client, accepts both field names and aliases, and can be read like the plain dicts that
0.4.7-era code indexed::

    tool = AgentTool(server_id="gmail", approval_mode="off")
    tool["server_id"], tool.get("missing", 0), "server_id" in tool   # ('gmail', 0, True)
"""

from __future__ import annotations

import difflib
import inspect
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar, cast

from pydantic import AliasChoices, BaseModel, ConfigDict

__all__ = [
    "SECRET_FIELD_NAMES",
    "GumloopModel",
    "UnknownFieldWarning",
    "build_payload",
    "mask_secrets",
    "masked_repr_args",
]

#: Field names whose values never appear in a repr (the value is shown as ``'***'``).
SECRET_FIELD_NAMES: frozenset[str] = frozenset(
    {
        "secret_id",
        "password",
        "token",
        "api_key",
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "authorization",
        "code_verifier",
    }
)

_MASK = "***"
_MISSING = object()


def _is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return lowered in SECRET_FIELD_NAMES or lowered.endswith(("_secret", "_password", "_api_key"))


def mask_secrets(value: Any) -> Any:
    """Return ``value`` with secret-named keys of nested dicts/lists replaced by ``'***'``."""
    if isinstance(value, Mapping):
        mapping = cast("Mapping[object, object]", value)
        return {
            k: (
                _MASK
                if isinstance(k, str) and _is_secret_name(k) and v is not None
                else mask_secrets(v)
            )
            for k, v in mapping.items()
        }
    if isinstance(value, list):
        return [mask_secrets(v) for v in cast("list[object]", value)]
    return value


class UnknownFieldWarning(UserWarning):
    """A request field the request model does not declare, given as a keyword or mapping key.

    What happens to the field follows the official SDK (request models send it, the chat
    request drops it); the warning says which, and suggests the close match when the name looks
    like a misspelt field (``tempreature`` -> ``temperature``). To send an undeclared field on
    purpose, pass it as ``extra_body={...}`` to the method: that is silent and always sent.
    Turn the warning into an error with ``warnings.simplefilter("error", UnknownFieldWarning)``.
    """


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def as_dict(value: object) -> dict[str, Any] | None:
    """``value`` typed as a JSON object when it is a dict, else ``None``."""
    return cast("dict[str, Any]", value) if isinstance(value, dict) else None


def user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside this package."""
    here = inspect.currentframe()
    frame = here.f_back if here is not None else None
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level


def known_keys(cls: type[BaseModel]) -> frozenset[str]:
    """Every key ``cls`` declares: field names and their aliases."""
    cached: frozenset[str] | None = cls.__dict__.get("_known_keys_cache")
    if cached is not None:
        return cached
    keys: set[str] = set()
    for name, info in cls.model_fields.items():
        keys.add(name)
        for alias in (info.alias, info.validation_alias, info.serialization_alias):
            if isinstance(alias, str):
                keys.add(alias)
            elif isinstance(alias, AliasChoices):
                keys.update(c for c in alias.choices if isinstance(c, str))
    result = frozenset(keys)
    type.__setattr__(cls, "_known_keys_cache", result)
    return result


def _warn_unknown(cls: type[BaseModel], unknown: list[str]) -> None:
    known = known_keys(cls)
    kept = cls.model_config.get("extra") == "allow"
    for key in unknown:
        close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        fate = (
            "It is sent as given, as the official SDK does"
            if kept
            else "It is not sent (the official SDK drops it too)"
        )
        warnings.warn(
            f"{cls.__name__} has no field {key!r}{hint}. {fate}. To send a field the model does "
            f"not declare, pass extra_body={{{key!r}: ...}} to the method instead.",
            UnknownFieldWarning,
            stacklevel=user_stacklevel(),
        )


def build_payload(
    cls: type[BaseModel], request: Any, kwargs: Mapping[str, Any], *, by_alias: bool = True
) -> dict[str, Any]:
    """Merge ``request`` and ``kwargs`` as §10.4 says and return the JSON-ready body ``cls`` sends.

    1. ``request``: a model contributes only its *set* fields (by alias); a mapping is copied;
       ``None`` is ``{}``.
    2. ``kwargs`` overlay it; a ``None`` kwarg means "leave alone" and is dropped (to send an
       explicit null, put it in the ``request`` mapping).
    3. The result is validated with ``cls`` (extras follow ``cls``'s config). A key ``cls`` does
       not declare raises :class:`UnknownFieldWarning` (sent or dropped as the official SDK
       does; ``extra_body=`` on the method is the explicit, silent way to send one).
    4. Only set fields are returned, so declared defaults are not sent unless given.
    """
    if request is None:
        payload: dict[str, Any] = {}
    elif isinstance(request, BaseModel):
        payload = request.model_dump(exclude_unset=True, by_alias=True)
    elif isinstance(request, Mapping):
        payload = dict(cast("Mapping[str, Any]", request))
    else:
        raise TypeError(
            f"request must be a {cls.__name__}, a mapping or None, not {type(request).__name__}; "
            "pass the fields as a dict or as keyword arguments."
        )
    for key, value in kwargs.items():
        if value is not None:
            payload[key] = value
    # Keys the caller typed (kwargs, mapping keys) are checked; a model instance's extras were
    # accepted when it was constructed.
    given: list[str] = [k for k, v in kwargs.items() if v is not None]
    if isinstance(request, Mapping):
        given = [*cast("Mapping[str, Any]", request), *given]
    known = known_keys(cls)
    unknown = list(dict.fromkeys(k for k in given if k not in known))
    if unknown:
        _warn_unknown(cls, unknown)
    model = cls.model_validate(payload)
    return model.model_dump(exclude_unset=True, by_alias=by_alias, mode="json")


def masked_repr_args(
    args: Iterable[tuple[str | None, Any]],
) -> Iterator[tuple[str | None, Any]]:
    """Pydantic repr arguments with secret-named values (also inside dicts/lists) masked."""
    for name, value in args:
        if name is not None and _is_secret_name(name) and value is not None:
            yield name, _MASK
        elif isinstance(value, (dict, list)):
            yield name, mask_secrets(value)
        else:
            yield name, value


class GumloopModel(BaseModel):
    """Base of every ``gumloop_nb.types`` model: unknown keys kept, names or aliases accepted.

    Besides attribute access it supports the dict idioms 0.4.7 code used on the (then untyped)
    payloads: ``obj["key"]``, ``obj.get("key", default)`` and ``"key" in obj``, for declared
    fields (by name or alias) and for extras. It is deliberately *not* a ``Mapping``: iteration
    stays pydantic's ``(name, value)`` pairs.
    """

    # protected_namespaces=(): fields such as ``model_name`` are part of the wire contract.
    # defer_build: ~200 models would otherwise build their validators at import (~0.5 s).
    model_config = ConfigDict(
        extra="allow", populate_by_name=True, protected_namespaces=(), defer_build=True
    )

    # alias -> field name, computed once per class on first dict-style access.
    _alias_index: ClassVar[dict[str, str] | None] = None

    @classmethod
    def build(cls, request: Any = None, /, **kwargs: Any) -> dict[str, Any]:
        """Merge ``request`` and ``kwargs`` into the JSON body this model describes (§10.4).

        Example::

            AgentCreateRequest.build({"name": "Draft", "model_name": "old"}, model_name="auto")
            # -> {"name": "Draft", "model_name": "auto"}
        """
        return build_payload(cls, request, kwargs)

    # -- dict-style compatibility -------------------------------------------------------------

    @classmethod
    def _field_for_key(cls, key: str) -> str | None:
        index: dict[str, str] | None = cls.__dict__.get("_alias_index")
        if index is None:
            index = {}
            for name, info in cls.model_fields.items():
                index[name] = name
                for alias in (info.alias, info.validation_alias, info.serialization_alias):
                    if isinstance(alias, str):
                        index.setdefault(alias, name)
                    elif isinstance(alias, AliasChoices):
                        for choice in alias.choices:
                            if isinstance(choice, str):
                                index.setdefault(choice, name)
            cls._alias_index = index
        return index.get(key)

    def _lookup(self, key: str) -> Any:
        name = self._field_for_key(key)
        if name is not None:
            return getattr(self, name)
        extra = self.__pydantic_extra__
        if extra is not None and key in extra:
            return extra[key]
        return _MISSING

    def __getitem__(self, key: str) -> Any:
        value = self._lookup(key)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        """Return the field or extra called ``key`` (name or wire alias), else ``default``."""
        value = self._lookup(key)
        return default if value is _MISSING else value

    def __contains__(self, key: object) -> bool:
        """True for extras and for declared fields that were given or hold a non-None value.

        This mirrors ``key in payload_dict`` for payloads parsed from the wire, where a key the
        server did not send (e.g. a never-echoed ``secret_id``) is absent.
        """
        if not isinstance(key, str):
            return False
        name = self._field_for_key(key)
        if name is not None:
            return name in self.model_fields_set or getattr(self, name) is not None
        extra = self.__pydantic_extra__
        return extra is not None and key in extra

    # -- repr ---------------------------------------------------------------------------------

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        return masked_repr_args(super().__repr_args__())
