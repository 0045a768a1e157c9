"""Core domain models. One module per area; everything is importable from ``rollout.models``."""

from rollout.models.accounts import Role, RoleAssignment, User
from rollout.models.org import Agency, Checkpoint, FocalOfficer, HealthFacility, Venue
from rollout.models.system import AuditEvent, FollowUp, Heartbeat, ImportJob, JobRun, Notification, SyncReceipt
from rollout.models.units import Commune, District, Province

__all__ = [
    "Agency",
    "AuditEvent",
    "Checkpoint",
    "Commune",
    "District",
    "FocalOfficer",
    "FollowUp",
    "HealthFacility",
    "Heartbeat",
    "ImportJob",
    "JobRun",
    "Notification",
    "Province",
    "Role",
    "RoleAssignment",
    "SyncReceipt",
    "User",
    "Venue",
]
