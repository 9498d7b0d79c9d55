"""Marshmallow schemas of the platform's resources (API.md "Resources to come"): companies, agencies, agency
staff, extension requests and the agency's contact log.

Output schemas name API.md's fields over the model's columns (a company's
``ends_at`` is ``expires_at``, ``users`` is ``user_count``) and whitelist
what leaves: no password hash, TOTP secret or session token ever does.
Input schemas check JSON types only and mark nothing required, so the
services' rules name every missing or bad field in one 422.
"""
import marshmallow as ma
from marshmallow import fields, validate

from crm_saas.api.paging import PageArgs, page_schema
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.platform.services.agency_admin import AGENCY_STATUSES
from crm_saas.blueprints.platform.services.companies import SORTS
from crm_saas.blueprints.platform.services.contacts import WAYS
from crm_saas.blueprints.platform.services.staff import AGENCY_ROLES
from crm_saas.core.passwords import POLICY_TEXT
from crm_saas.tenants.models import STATUSES

EXTENSION_STATUSES = ("pending", "approved", "rejected")


# -- the caller -------------------------------------------------------------------------------------------------

class PlatformTokenRequestSchema(InputSchema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)
    otp = fields.String(load_default=None, load_only=True, metadata={
        "description": "Operators: the current 6-digit code of their authenticator app (each code works once). "
                       "Agency staff send none."})


class PlatformAccountSchema(ma.Schema):
    """A platform account as ``/platform/me`` and the staff calls answer it."""

    id = fields.Integer()
    username = fields.String()
    name = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    role = fields.String(metadata={"enum": ["operator", *AGENCY_ROLES]})
    agency_id = fields.Integer(allow_none=True, metadata={"description": "None for operators."})
    code = fields.String(allow_none=True, metadata={"description": "Rep code: the agency's prefix and 01-99."})
    superior_id = fields.Integer(allow_none=True, metadata={"description": "None at the top of the agency's tree."})
    active = fields.Boolean(metadata={"description": "False once departed: no sign-in, no token, no new sign-ups."})
    deactivated_at = fields.DateTime(allow_none=True)
    decides_extensions = fields.Boolean(
        metadata={"description": "An agency admin or supervisor the operator allowed to decide extension requests."})
    must_change_password = fields.Boolean(
        metadata={"description": "The password was set by someone else and must be changed before other calls."})
    created_at = fields.DateTime()


# -- companies --------------------------------------------------------------------------------------------------

class PlatformTenantSchema(ma.Schema):
    """A company as the platform sees it: platform facts only, never its business data."""

    id = fields.Integer()
    slug = fields.String(metadata={"description": "Its subdomain."})
    name = fields.String()
    status = fields.Function(lambda tenant: tenant.effective_status(), metadata={
        "enum": list(STATUSES),
        "description": "As its users meet it: an open company past its end date is expired already."})
    ends_at = fields.DateTime(attribute="expires_at", allow_none=True,
                              metadata={"description": "The end of the trial or subscription; none while pending."})
    paid = fields.Boolean(metadata={"description": "A subscription (active) rather than a trial."})
    status_reason = fields.String(allow_none=True, metadata={"description": "Why it was rejected or suspended."})
    agency_id = fields.Integer(allow_none=True)
    rep_id = fields.Integer(allow_none=True)
    rep_code = fields.String(allow_none=True)
    category = fields.String(allow_none=True, metadata={"description": "The agency rep's classification."})
    contact_name = fields.String(allow_none=True, metadata={"description": "The applicant (its administrator)."})
    contact_phone = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    users = fields.Integer(attribute="user_count", metadata={"description": "Active users (counted hourly)."})
    customers = fields.Integer(attribute="customer_count", metadata={"description": "Customers (counted hourly)."})
    storage_bytes = fields.Integer(metadata={"description": "Files stored (counted hourly)."})
    last_activity_at = fields.DateTime(allow_none=True)
    online_users = fields.Integer(metadata={"description": "Its users seen in the last 10 minutes."})
    approved_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class PlatformTenantFiledSchema(PlatformTenantSchema):
    setup_link_sent = fields.Boolean(metadata={
        "description": "Whether the administrator was emailed the link to choose a password (needs a mail server)."})


class TenantListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))
    agency_id = fields.Integer()
    rep_id = fields.Integer()
    expiring_within_days = fields.Integer(validate=validate.Range(min=0, max=3660), metadata={
        "description": "Open companies whose end date comes within this many days."})
    q = fields.String(validate=validate.Length(max=200),
                      metadata={"description": "Part of the name, subdomain, or the applicant's name or phone."})
    category = fields.String(validate=validate.Length(max=50), metadata={"description": "The rep's classification."})
    binned = fields.Boolean(load_default=False, metadata={
        "description": "Agency staff: their recycle bin instead of their list (operators see every company)."})
    sort = fields.String(load_default="ends_at", validate=validate.OneOf(list(SORTS)))


class ApplicationSchema(InputSchema):
    """注册申请试用帐户: what an agency rep files for a company; their own code goes with it."""

    name = fields.String(allow_none=True, metadata={"description": "Required: the company's name."})
    slug = fields.String(allow_none=True, metadata={"description": "Required: its subdomain, 3-32 a-z, 0-9, -."})
    admin_name = fields.String(allow_none=True, metadata={"description": "Required: its administrator's name."})
    admin_phone = fields.String(allow_none=True, metadata={"description": "Required."})
    admin_email = fields.String(allow_none=True, metadata={
        "description": "Required: where the link to choose the administrator's password goes."})


class ReasonSchema(InputSchema):
    reason = fields.String(allow_none=True, metadata={"description": "Required."})


class OptionalReasonSchema(InputSchema):
    reason = fields.String(allow_none=True, metadata={"description": "Kept in the platform log."})


class ExtendSchema(InputSchema):
    days = fields.Integer(allow_none=True, metadata={
        "description": "Days added to the end date (counted from today if it has passed). Either this or until."})
    until = fields.Date(allow_none=True,
                        metadata={"description": "The new end date (the end of that day, China time)."})
    paid = fields.Boolean(allow_none=True, metadata={
        "description": "true: a paid subscription from now on (status active); false: back to a trial."})
    reason = fields.String(allow_none=True, metadata={"description": "Kept in the platform log."})


class RenameSchema(InputSchema):
    name = fields.String(allow_none=True, metadata={"description": "Required: the company's new name."})


class AdminPasswordSchema(InputSchema):
    password = fields.String(allow_none=True, load_only=True, metadata={
        "description": f"Required. {POLICY_TEXT} The administrator must change it at their next sign-in."})


class AssignSchema(InputSchema):
    rep_id = fields.Integer(allow_none=True, metadata={
        "description": "Required: an active agency rep; the company goes to them and their agency."})
    reason = fields.String(allow_none=True, metadata={"description": "Kept in the platform log."})


# -- the agency's contact log -----------------------------------------------------------------------------------

class AgencyContactSchema(ma.Schema):
    id = fields.Integer()
    tenant_id = fields.Integer()
    occurred_at = fields.DateTime()
    way = fields.String(metadata={"enum": list(WAYS)})
    summary = fields.String()
    next_contact_at = fields.DateTime(allow_none=True)
    created_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class AgencyContactInputSchema(InputSchema):
    occurred_at = fields.String(allow_none=True, metadata={
        "description": "ISO 8601 (without an offset: China time); default now; never in the future."})
    way = fields.String(allow_none=True, metadata={"enum": list(WAYS), "description": "Default: phone."})
    summary = fields.String(allow_none=True, metadata={"description": "Required."})
    next_contact_at = fields.String(allow_none=True, metadata={"description": "ISO 8601; after occurred_at."})


# -- agencies ---------------------------------------------------------------------------------------------------

class AgencySchema(ma.Schema):
    id = fields.Integer()
    prefix = fields.String(metadata={"description": "Two letters of region, two digits of agency: GD01."})
    name = fields.String()
    contact = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(AGENCY_STATUSES)})
    bonus_trial_days = fields.Integer(metadata={"description": "Added to the trial of its codes' sign-ups (赠送)."})
    created_at = fields.DateTime()


class AgencyInputSchema(InputSchema):
    prefix = fields.String(allow_none=True, metadata={
        "description": "Required on creation, fixed afterwards: two letters of region, two digits, unique."})
    name = fields.String(allow_none=True, metadata={"description": "Required."})
    contact = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    status = fields.String(allow_none=True, metadata={"enum": list(AGENCY_STATUSES), "description": "Default: active."})
    bonus_trial_days = fields.Integer(allow_none=True, metadata={"description": "0-365; default 0."})


class AgencyListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(AGENCY_STATUSES))
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Part of the prefix or name."})


# -- agency staff -----------------------------------------------------------------------------------------------

class AgencyStaffInputSchema(InputSchema):
    agency_id = fields.Integer(allow_none=True, metadata={
        "description": "Operators: the agency (required). Agency staff add to their own."})
    username = fields.String(allow_none=True, metadata={
        "description": "2-64 letters, digits, . _ -; default: suggested from the name (pinyin)."})
    password = fields.String(allow_none=True, load_only=True, metadata={
        "description": f"Required when adding. {POLICY_TEXT} Set by someone else: changed at first sign-in."})
    name = fields.String(allow_none=True, metadata={"description": "Required."})
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    role = fields.String(allow_none=True, metadata={"enum": list(AGENCY_ROLES), "description": "Default: rep."})
    code = fields.String(allow_none=True, metadata={
        "description": "One of the agency's free codes (prefix + 01-99); default: the first free one."})
    superior_id = fields.Integer(allow_none=True, metadata={
        "description": "An active colleague; a new superior moves the person with their whole subtree."})
    decides_extensions = fields.Boolean(allow_none=True, metadata={
        "description": "Operators only: may this admin or supervisor decide extension requests."})


class AgencyStaffListArgs(PageArgs):
    agency_id = fields.Integer()
    role = fields.String(validate=validate.OneOf(AGENCY_ROLES))
    active = fields.Boolean()
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Part of name, username or code."})


class HandoverSchema(InputSchema):
    handover_to = fields.Integer(allow_none=True, metadata={
        "description": "Required: the active colleague (outside the person's team) who takes their companies "
                       "and people."})


class AgencyDepartureSchema(ma.Schema):
    staff = fields.Nested(PlatformAccountSchema)
    moved = fields.Dict(keys=fields.String(), values=fields.Integer(),
                        metadata={"description": "How many companies changed hands."})


# -- extension requests -----------------------------------------------------------------------------------------

class ExtensionRequestSchema(ma.Schema):
    id = fields.Integer()
    tenant_id = fields.Integer()
    tenant_name = fields.String(attribute="tenant.name")
    days = fields.Integer()
    reason = fields.String()
    status = fields.String(metadata={"enum": list(EXTENSION_STATUSES)})
    requested_by = fields.Integer(allow_none=True)
    requested_at = fields.DateTime()
    decided_by = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_reason = fields.String(allow_none=True, metadata={"description": "Why it was turned down."})


class ExtensionRequestInputSchema(InputSchema):
    tenant_id = fields.Integer(allow_none=True, metadata={"description": "Required: one of the caller's companies."})
    days = fields.Integer(allow_none=True, metadata={"description": "Required: 1-366."})
    reason = fields.String(allow_none=True, metadata={"description": "Required."})


class ExtensionListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(EXTENSION_STATUSES))
    tenant_id = fields.Integer()


PlatformTenantPageSchema = page_schema(PlatformTenantSchema, "PlatformTenantPage")
AgencyPageSchema = page_schema(AgencySchema, "AgencyPage")
AgencyStaffPageSchema = page_schema(PlatformAccountSchema, "AgencyStaffPage")
ExtensionRequestPageSchema = page_schema(ExtensionRequestSchema, "ExtensionRequestPage")
AgencyContactPageSchema = page_schema(AgencyContactSchema, "AgencyContactPage")
