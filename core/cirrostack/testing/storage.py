"""Conformance suite for storage providers (`StorageProvider`).

Subclass it in your plugin's tests and provide three fixtures::

    class TestS3(StorageProviderConformance):
        @pytest.fixture
        def storage_provider(self):        # your provider instance
            return S3Store(settings)

        @pytest.fixture
        def store(self):                   # StoreRef of a declared role and scope, reachable, whose
            return StoreRef(...)           # `details` hold what an operator would send

        @pytest.fixture
        def unreachable_store(self):       # StoreRef of the same role that does not answer
            return StoreRef(...)

Run it once per role you declare (a Primary store and an Image store are two subclasses).
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import replace

import pytest

from cirrostack.errors import InvalidParameter, ResourceUnavailable, UnsupportedOperation
from cirrostack.hookspecs.storage import (
    DataObjectInfo,
    StorageCapabilities,
    StorageProvider,
    StorageRole,
    StorageScope,
    StoreRef,
    TemplateRef,
    VolumeSpec,
    validate_details,
)
from cirrostack.testing._contract_calls import call_contract as call
from cirrostack.testing._contract_calls import expect_error, guarded

TEMPLATE_BYTES = b"QFI\xfb" + bytes(range(256)) * 64


class StorageProviderConformance:
    """The behaviour every storage provider must show; see the module docstring for fixtures."""

    @pytest.fixture
    def provider(self, storage_provider: StorageProvider) -> StorageProvider:
        return storage_provider

    @pytest.fixture
    def guarded_provider(self, storage_provider: StorageProvider) -> StorageProvider:
        return guarded(storage_provider, StorageProvider, f"storage provider {storage_provider.provider_name}")

    @pytest.fixture
    def ready_store(self, provider: StorageProvider, store: StoreRef) -> StoreRef:
        call(provider, "initialise_store", store)
        return store

    # -- declarations and details -------------------------------------------------------------------

    def test_declares_a_name_roles_and_documented_detail_fields(self, provider: StorageProvider) -> None:
        assert isinstance(provider.provider_name, str) and provider.provider_name, "provider_name must be set"
        assert isinstance(provider.capabilities, StorageCapabilities)
        assert provider.capabilities.roles, "capabilities.roles must name at least one StorageRole"
        for field in provider.detail_fields:
            assert field.name and field.label and field.description, f"detail field {field!r} needs a label and docs"
            assert field.type in (str, int, bool), f"detail field {field.name} has type {field.type}"

    def test_the_store_details_pass_validation(self, provider: StorageProvider, store: StoreRef) -> None:
        validate_details(type(provider), store.details)

    def test_a_missing_required_detail_is_refused_naming_it(self, provider: StorageProvider, store: StoreRef) -> None:
        required = [field for field in provider.detail_fields if field.required]
        if not required:  # nothing is required, so no details at all must be accepted
            validate_details(type(provider), {})
            return
        for field in required:
            details = {k: v for k, v in store.details.items() if k.lower() != field.name.lower()}
            with pytest.raises(InvalidParameter, match=field.name) as caught:
                validate_details(type(provider), details)
            assert caught.value.param == "details"

    def test_an_undeclared_detail_is_refused(self, provider: StorageProvider, store: StoreRef) -> None:
        with pytest.raises(InvalidParameter, match="no_such_detail"):
            validate_details(type(provider), {**store.details, "no_such_detail": "x"})

    # -- stores --------------------------------------------------------------------------------------

    def test_initialise_is_idempotent_and_reports_capacity(self, provider: StorageProvider, store: StoreRef) -> None:
        first = call(provider, "initialise_store", store)
        again = call(provider, "initialise_store", store)
        assert first.total_bytes == again.total_bytes
        capacity = call(provider, "capacity", store)
        assert capacity.total_bytes > 0 and 0 <= capacity.used_bytes <= capacity.total_bytes, capacity

    def test_an_undeclared_role_or_scope_is_refused_before_the_provider_runs(
            self, guarded_provider: StorageProvider, store: StoreRef) -> None:
        roles = [role for role in StorageRole if role not in guarded_provider.capabilities.roles]
        scopes = [scope for scope in StorageScope if scope not in guarded_provider.capabilities.scopes]
        for role in roles:
            with pytest.raises(UnsupportedOperation, match=f"{role.value} in roles"):
                guarded_provider.initialise_store(replace(store, role=role))
        for scope in scopes:
            with pytest.raises(UnsupportedOperation, match=f"{scope.value} in scopes"):
                guarded_provider.initialise_store(replace(store, scope=scope))

    @pytest.mark.parametrize("method", ["initialise_store", "capacity", "copy_template_in", "copy_template_out",
                                        "template_size", "open_template", "delete_template"])
    def test_an_unreachable_store_raises_resource_unavailable(self, provider: StorageProvider,
                                                              unreachable_store: StoreRef, method: str) -> None:
        arguments = {
            "initialise_store": (), "capacity": (), "delete_template": ("templates/absent",),
            "copy_template_in": (TemplateRef(str(uuid.uuid4()), "conformance", "RAW"), io.BytesIO(b"x")),
            "copy_template_out": ("templates/absent", io.BytesIO()),
            "template_size": ("templates/absent",), "open_template": ("templates/absent",),
        }[method]
        expect_error(ResourceUnavailable, "for a store that does not answer", provider, method,
                     unreachable_store, *arguments)

    def test_removing_a_store_never_initialised_succeeds(self, provider: StorageProvider, store: StoreRef) -> None:
        call(provider, "remove_store", store)

    # -- templates -----------------------------------------------------------------------------------

    def test_a_template_copied_in_comes_out_unchanged(self, provider: StorageProvider, ready_store: StoreRef) -> None:
        template = TemplateRef(str(uuid.uuid4()), "conformance", "QCOW2")
        info = call(provider, "copy_template_in", ready_store, template, io.BytesIO(TEMPLATE_BYTES))
        assert isinstance(info, DataObjectInfo)
        assert info.size_bytes == len(TEMPLATE_BYTES)
        assert info.sha256 == hashlib.sha256(TEMPLATE_BYTES).hexdigest(), "DataObjectInfo.sha256 is wrong"
        out = io.BytesIO()
        assert call(provider, "copy_template_out", ready_store, info.path, out) == len(TEMPLATE_BYTES)
        assert out.getvalue() == TEMPLATE_BYTES, "copy_template_out returned other bytes than were copied in"
        call(provider, "delete_template", ready_store, info.path)

    def test_a_template_streams_out_in_chunks_with_its_size(self, provider: StorageProvider,
                                                            ready_store: StoreRef) -> None:
        template = TemplateRef(str(uuid.uuid4()), "conformance", "RAW")
        info = call(provider, "copy_template_in", ready_store, template, io.BytesIO(TEMPLATE_BYTES))
        assert call(provider, "template_size", ready_store, info.path) == len(TEMPLATE_BYTES)
        stream = call(provider, "open_template", ready_store, info.path)
        try:
            first = stream.read(1000)
            rest = b"".join(iter(lambda: stream.read(4096), b""))
        finally:
            stream.close()
        stream.close()  # closing twice is harmless
        assert len(first) <= 1000, "open_template's read(n) must give at most n bytes"
        assert first + rest == TEMPLATE_BYTES, "open_template streamed other bytes than were copied in"
        call(provider, "delete_template", ready_store, info.path)
        for method in ("template_size", "open_template"):
            error = expect_error(ResourceUnavailable, "for a deleted template", provider, method, ready_store,
                                 info.path)
            assert info.path in str(error), f"{method}'s error must name the path {info.path}: {error}"

    def test_copying_a_template_again_replaces_it(self, provider: StorageProvider, ready_store: StoreRef) -> None:
        template = TemplateRef(str(uuid.uuid4()), "conformance", "RAW")
        call(provider, "copy_template_in", ready_store, template, io.BytesIO(b"first version"))
        info = call(provider, "copy_template_in", ready_store, template, io.BytesIO(b"second"))
        out = io.BytesIO()
        call(provider, "copy_template_out", ready_store, info.path, out)
        assert out.getvalue() == b"second"
        call(provider, "delete_template", ready_store, info.path)

    def test_deleting_a_template_is_idempotent(self, provider: StorageProvider, ready_store: StoreRef) -> None:
        template = TemplateRef(str(uuid.uuid4()), "conformance", "RAW")
        info = call(provider, "copy_template_in", ready_store, template, io.BytesIO(b"bytes"))
        call(provider, "delete_template", ready_store, info.path)
        call(provider, "delete_template", ready_store, info.path)
        error = expect_error(ResourceUnavailable, "for a deleted template", provider, "copy_template_out",
                             ready_store, info.path, io.BytesIO())
        assert info.path in str(error), f"the error must name the path {info.path}: {error}"

    def test_removing_the_store_keeps_its_data(self, provider: StorageProvider, ready_store: StoreRef) -> None:
        template = TemplateRef(str(uuid.uuid4()), "conformance", "RAW")
        info = call(provider, "copy_template_in", ready_store, template, io.BytesIO(b"kept"))
        call(provider, "remove_store", ready_store)
        call(provider, "remove_store", ready_store)
        call(provider, "initialise_store", ready_store)
        out = io.BytesIO()
        try:
            call(provider, "copy_template_out", ready_store, info.path, out)
        except ResourceUnavailable as exc:
            pytest.fail(f"remove_store must never delete the data on the store, but {info.path} is gone: {exc}")
        assert out.getvalue() == b"kept", "remove_store must never delete the data on the store"
        call(provider, "delete_template", ready_store, info.path)

    # -- volumes and objects, by declared capability -------------------------------------------------------

    def test_volumes_follow_the_primary_role(self, provider: StorageProvider, guarded_provider: StorageProvider,
                                             ready_store: StoreRef) -> None:
        volume = VolumeSpec(str(uuid.uuid4()), "conformance-vol", 1 << 20)
        if StorageRole.PRIMARY not in provider.capabilities.roles:
            with pytest.raises(UnsupportedOperation, match="Primary in roles"):
                guarded_provider.create_volume(ready_store, volume)
            return
        created = call(provider, "create_volume", ready_store, volume)
        assert created.size_bytes >= volume.size_bytes and created.path
        assert call(provider, "create_volume", ready_store, volume) == created, "create_volume must be idempotent"
        used = call(provider, "capacity", ready_store).used_bytes
        call(provider, "delete_volume", ready_store, created.path)
        call(provider, "delete_volume", ready_store, created.path)
        assert call(provider, "capacity", ready_store).used_bytes <= used - volume.size_bytes, \
            "delete_volume must free the volume's space"

    def test_objects_follow_the_object_store_capability(self, provider: StorageProvider,
                                                        guarded_provider: StorageProvider,
                                                        ready_store: StoreRef) -> None:
        key = f"conformance/{uuid.uuid4()}"
        if not provider.capabilities.object_store:
            with pytest.raises(UnsupportedOperation, match="object_store"):
                guarded_provider.put_object(ready_store, key, b"data")
            return
        info = call(provider, "put_object", ready_store, key, b"data")
        assert info.size_bytes == 4 and info.sha256 == hashlib.sha256(b"data").hexdigest()
        assert call(provider, "get_object", ready_store, key) == b"data"
        call(provider, "put_object", ready_store, key, b"other")
        assert call(provider, "get_object", ready_store, key) == b"other", "put_object must replace the object"
        call(provider, "delete_object", ready_store, key)
        call(provider, "delete_object", ready_store, key)
        error = expect_error(ResourceUnavailable, "for a deleted key", provider, "get_object", ready_store, key)
        assert key in str(error), f"the error must name the key {key}: {error}"
