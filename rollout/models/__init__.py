"""Core domain models. One module per area; everything is importable from ``rollout.models``."""

from rollout.models.accounts import Role, RoleAssignment, User
from rollout.models.activity import AdoptionUpdate, CheckIn, Inspection
from rollout.models.health import VaccinationReminder, VaccinationUpdate
from rollout.models.org import Agency, FocalOfficer, HealthFacility, RetiredVenueKey, Venue
from rollout.models.stats import ArrivalDay, DistrictDay, VenueDay
from rollout.models.system import AuditEvent, FollowUp, Heartbeat, JobRun, Notification
from rollout.models.units import Commune, District, Province

__all__ = [
    "AdoptionUpdate",
    "Agency",
    "ArrivalDay",
    "AuditEvent",
    "CheckIn",
    "Commune",
    "District",
    "DistrictDay",
    "FocalOfficer",
    "FollowUp",
    "HealthFacility",
    "Heartbeat",
    "Inspection",
    "JobRun",
    "Notification",
    "Province",
    "RetiredVenueKey",
    "Role",
    "RoleAssignment",
    "User",
    "VaccinationReminder",
    "VaccinationUpdate",
    "Venue",
    "VenueDay",
]
