"""Open Referral HSDS 3.0: published programs as `service` documents for 211s and referrers.

A service's ID is the program's own UUID and its organization's the provider's; the IDs of the
parts (location, schedules, phones) are UUIDv5 names under the service's, so every ID is the
same on every request.
"""

from .views import service_detail, service_list

__all__ = ["service_detail", "service_list"]
