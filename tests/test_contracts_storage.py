"""The storage conformance suite passes the reference provider, fails broken ones; details validation."""

from __future__ import annotations

import textwrap

import pytest

from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.details import secret_detail_names
from cirrostack.hookspecs.storage import StorageRole, StorageScope, StoreRef, validate_details
from cirrostack.testing.storage import StorageProviderConformance
from tests.contract_drivers.fabric import Fabric
from tests.contract_drivers.storage import InMemoryStore

pytest_plugins = ["pytester"]

DETAILS = {"accesskey": "AKIA1", "secretkey": "s3cr3t", "bucket": "templates", "usehttps": "true"}


def reference_fabric() -> Fabric:
    fabric = Fabric(reachable=["mem://store-1"])
    fabric.state("mem://store-1")["secretkey"] = "s3cr3t"
    return fabric


class ReferenceStore:
    @pytest.fixture
    def storage_provider(self) -> InMemoryStore:
        return InMemoryStore(fabric=reference_fabric())

    @pytest.fixture
    def unreachable_store(self, store: StoreRef) -> StoreRef:
        return StoreRef("s-9", "gone", "mem://store-9", store.role, details=store.details)


class TestImageStoreReference(ReferenceStore, StorageProviderConformance):
    @pytest.fixture
    def store(self) -> StoreRef:
        return StoreRef("s-1", "images", "mem://store-1", StorageRole.IMAGE, StorageScope.REGION, details=DETAILS)


class TestPrimaryStoreReference(ReferenceStore, StorageProviderConformance):
    @pytest.fixture
    def store(self) -> StoreRef:
        return StoreRef("s-1", "primary", "mem://store-1", StorageRole.PRIMARY, StorageScope.ZONE, zone_uuid="z-1",
                        details=DETAILS)


def test_details_are_converted_to_the_declared_types_and_spelled_as_declared() -> None:
    sent = {"AccessKey": "AKIA1", "secretkey": "k", "bucket": "b", "usehttps": "TRUE"}
    values = validate_details(InMemoryStore, sent)
    assert values == {"accesskey": "AKIA1", "secretkey": "k", "bucket": "b", "usehttps": True}


def test_an_optional_detail_left_out_gets_its_default() -> None:
    assert validate_details(InMemoryStore, {"accesskey": "a", "secretkey": "k", "bucket": "b"})["usehttps"] is False


def test_a_missing_required_detail_names_the_field_and_the_provider() -> None:
    with pytest.raises(InvalidParameter) as caught:
        validate_details(InMemoryStore, {"accesskey": "a", "bucket": "b"})
    assert caught.value.param == "details"
    assert "secretkey (Secret key) is required by storage provider InMemory" in str(caught.value)


def test_a_malformed_boolean_detail_names_the_value() -> None:
    with pytest.raises(InvalidParameter, match="usehttps of storage provider InMemory must be true or false"):
        validate_details(InMemoryStore, {**DETAILS, "usehttps": "maybe"})


def test_an_unknown_detail_lists_the_accepted_ones() -> None:
    with pytest.raises(InvalidParameter, match=r"region is not a detail .* \(accepted: accesskey, secretkey, bucket"):
        validate_details(InMemoryStore, {**DETAILS, "region": "eu"})


def test_an_empty_required_detail_is_refused() -> None:
    with pytest.raises(InvalidParameter, match="bucket \\(Bucket\\) of storage provider InMemory must not be empty"):
        validate_details(InMemoryStore, {**DETAILS, "bucket": "  "})


def test_secret_fields_are_the_ones_the_core_encrypts() -> None:
    assert secret_detail_names(InMemoryStore) == frozenset({"secretkey"})


BROKEN_SUITE = """
import pytest
from cirrostack.hookspecs.storage import StorageRole, StorageScope, StoreRef
from cirrostack.testing.storage import StorageProviderConformance
from tests.contract_drivers.fabric import Fabric
from tests.contract_drivers.storage import InMemoryStore

{driver}

DETAILS = {{"accesskey": "a", "secretkey": "k", "bucket": "b"}}

class TestBroken(StorageProviderConformance):
    @pytest.fixture
    def storage_provider(self):
        fabric = Fabric(reachable=["mem://s"])
        fabric.state("mem://s")["secretkey"] = "k"
        return Broken(fabric=fabric)

    @pytest.fixture
    def store(self):
        return StoreRef("s", "images", "mem://s", StorageRole.PRIMARY, details=DETAILS)

    @pytest.fixture
    def unreachable_store(self):
        return StoreRef("x", "gone", "mem://x", StorageRole.PRIMARY, details=DETAILS)
"""


def run_broken(pytester: pytest.Pytester, driver: str) -> pytest.RunResult:
    pytester.makepyfile(test_broken=BROKEN_SUITE.format(driver=textwrap.dedent(driver)))
    return pytester.runpytest("-q", "-p", "no:cacheprovider")


def test_suite_fails_a_provider_whose_copy_corrupts_the_template(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        class Broken(InMemoryStore):
            def copy_template_out(self, store, path, target):
                return target.write(self._bucket(store)[path][:-1] + b"!")
    """)
    assert result.parseoutcomes().get("failed", 0) >= 1
    result.stdout.fnmatch_lines(["*copy_template_out returned other bytes than were copied in*"])


def test_suite_fails_a_provider_that_deletes_data_on_removal(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        class Broken(InMemoryStore):
            def remove_store(self, store):
                self._bucket(store).clear()
    """)
    result.stdout.fnmatch_lines(["*remove_store must never delete the data on the store*"])


def test_suite_fails_an_unimplemented_method_naming_it(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        class Broken(InMemoryStore):
            def delete_template(self, store, path):
                raise NotImplementedError
    """)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*Broken.delete_template is not implemented (raises NotImplementedError)*"])


def test_suite_fails_a_provider_with_a_vendor_exception_naming_the_method(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        class Broken(InMemoryStore):
            def delete_volume(self, store, path):
                raise KeyError(path)
    """)
    result.stdout.fnmatch_lines(["*Broken.delete_volume raised KeyError*only errors from cirrostack.errors*"])
