"""Model fields whose values are stored only as ciphertext under the record's data key.

A model using them has a UUID primary key and a ``data_key_id`` attribute (see ``SealedModel``).
Reading the attribute decrypts lazily (and raises VaultSealed while sealed); assigning sets the
plaintext; saving encrypts. Ciphertexts are bound to model, field and primary key.
"""
from __future__ import annotations

import json
import uuid

from django.db import models

from . import services

_MISSING = object()


class _SealedDescriptor:
    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        plain_key, cipher_key = self.field.cache_names
        plain = instance.__dict__.get(plain_key, _MISSING)
        if plain is _MISSING:
            blob = instance.__dict__.get(cipher_key)
            plain = self.field.decrypt(instance, blob) if blob else self.field.empty_value()
            instance.__dict__[plain_key] = plain
        return plain

    def __set__(self, instance, value):
        plain_key, cipher_key = self.field.cache_names
        # Marks the column as loaded: without it Django counts the field as deferred and a save of a
        # fetched record silently leaves the column out (see Model.save, deferred_non_generated_fields).
        instance.__dict__[self.field.attname] = None
        if value is None or isinstance(value, (bytes, memoryview)):  # loaded from the database; NULL is empty
            instance.__dict__[cipher_key] = bytes(value) if value is not None else None
            instance.__dict__.pop(plain_key, None)
        else:
            instance.__dict__[plain_key] = value
            instance.__dict__[cipher_key] = None


class SealedTextField(models.BinaryField):
    descriptor_class = _SealedDescriptor

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        self.cache_names = (f"_sealed_plain_{name}", f"_sealed_cipher_{name}")

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def empty_value(self):
        return ""

    def to_bytes(self, value) -> bytes:
        return str(value).encode()

    def from_bytes(self, data: bytes):
        return data.decode()

    def aad(self, instance) -> str:
        return f"{self.model._meta.label}.{self.name}:{instance.pk}"

    def decrypt(self, instance, blob: bytes):
        return self.from_bytes(services.decrypt(instance.data_key_id, blob, self.aad(instance)))

    def pre_save(self, instance, add):
        plain_key, cipher_key = self.cache_names
        if plain_key not in instance.__dict__:
            return instance.__dict__.get(cipher_key)  # untouched since loading: keep the ciphertext
        plain = instance.__dict__[plain_key]
        if plain in (None, "", [], {}):
            return None
        blob = services.encrypt(instance.data_key_id, self.to_bytes(plain), self.aad(instance))
        instance.__dict__[cipher_key] = blob
        return blob

    def from_db_value(self, value, expression, connection):
        return bytes(value) if value is not None else None

    def value_from_object(self, obj):
        return getattr(obj, self.attname)


class SealedJSONField(SealedTextField):
    def empty_value(self):
        return [] if self._list else {}

    def __init__(self, *args, list_value: bool = True, **kwargs):
        self._list = list_value
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["list_value"] = self._list
        return name, path, args, kwargs

    def to_bytes(self, value) -> bytes:
        return json.dumps(value, ensure_ascii=False, sort_keys=True).encode()

    def from_bytes(self, data: bytes):
        return json.loads(data)


class SealedModel(models.Model):
    """Base for records holding sealed fields: a UUID key (known before insert) and a data key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key_id = models.UUIDField(null=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.data_key_id is None:
            self.data_key_id = self.new_data_key()
        super().save(*args, **kwargs)

    def new_data_key(self):
        return services.data_key_create()


class SealedChildModel(models.Model):
    """A record sealed under its parent's data key (a case note under its case): shredded together."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key_id = models.UUIDField(null=True, editable=False, db_index=True)

    class Meta:
        abstract = True
