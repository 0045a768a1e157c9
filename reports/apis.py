"""REST API of weekly reports and roll-ups (SPEC §12): read-only, scoped, each with ``download_url``."""

from __future__ import annotations

from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.reverse import reverse

from reports import fields, selectors
from reports.figures import district_week_figures
from reports.models import Rollup, WeeklyReport, report_state
from reports.scoping import report_districts_for, rollups_for, weekly_reports_for
from reports.services.submissions import primary_focal_officer
from reports.template_xlsx import template_build
from rollout.apis import DISTRICT
from rollout.downloads import XLSX, download_response, private_file_response

WEEK = OpenApiParameter("week", OpenApiTypes.DATE, description="Week ending (the Friday), YYYY-MM-DD")


# The figures of the weekly template, each null while not filled in (a draft) or not visible to the caller.
WeeklyFiguresSerializer = type(
    "WeeklyFiguresSerializer",
    (serializers.Serializer,),
    {f.key: serializers.IntegerField(allow_null=True, help_text=f.label) for f in fields.NUMBERS},
)


class WeeklyReportSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)
    state = serializers.SerializerMethodField()
    timeliness = serializers.CharField(read_only=True)
    # null for a draft: no version has been sent yet.
    version = serializers.IntegerField(
        source="current_version.number", read_only=True, default=None, allow_null=True, help_text="null: never sent"
    )
    figures = serializers.SerializerMethodField()
    difficulties = serializers.SerializerMethodField()
    proposals = serializers.SerializerMethodField()
    review_comment = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = WeeklyReport
        fields = [
            "id",
            "district",
            "district_name",
            "week_ending",
            "state",
            "status",
            "timeliness",
            "first_submitted_at",
            "submitted_at",
            "version",
            "figures",
            "difficulties",
            "proposals",
            "review_comment",
            "download_url",
        ]

    def _values(self, obj: WeeklyReport) -> dict:
        cache = self.context.setdefault("_values", {})
        if obj.pk not in cache:
            user = self.context["request"].user
            if "_writable" not in self.context:
                writable = report_districts_for(user, for_change=True).values_list("pk", flat=True)
                self.context["_writable"] = set(writable)
            cache[obj.pk] = selectors.visible_values(user, obj, writable=self.context["_writable"]) or {}
        return cache[obj.pk]

    def get_state(self, obj: WeeklyReport) -> str:
        return report_state(obj)

    @extend_schema_field(WeeklyFiguresSerializer)
    def get_figures(self, obj: WeeklyReport) -> dict[str, int | None]:
        values = self._values(obj)
        return {key: values.get(key) for key in fields.NUMBER_KEYS}

    def get_difficulties(self, obj: WeeklyReport) -> str:
        return self._values(obj).get("difficulties", "")

    def get_proposals(self, obj: WeeklyReport) -> str:
        return self._values(obj).get("proposals", "")

    def get_review_comment(self, obj: WeeklyReport) -> str:
        review = next(iter(obj.reviews.all()), None)  # prefetched, newest first
        return review.comment if review else ""

    def get_download_url(self, obj: WeeklyReport) -> str:
        return reverse("api:weekly-report-download", kwargs={"pk": obj.pk}, request=self.context.get("request"))


class RollupSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Rollup
        fields = ["id", "week_ending", "revision", "reason", "created_at", "rows", "summary", "download_url"]

    def get_download_url(self, obj: Rollup) -> str:
        return reverse("api:rollup-download", kwargs={"pk": obj.pk}, request=self.context.get("request"))


def _week(request) -> date | None:
    try:
        return date.fromisoformat(request.query_params.get("week", ""))
    except ValueError:
        return None


@extend_schema_view(list=extend_schema(parameters=[WEEK, DISTRICT]))
class WeeklyReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Weekly reports the caller may see. District officers see their working copy; others what was sent."""

    serializer_class = WeeklyReportSerializer

    def get_queryset(self):
        queryset = (
            weekly_reports_for(self.request.user)
            .select_related("district", "current_version")
            .prefetch_related("reviews")
        )
        week = _week(self.request)
        if week:
            queryset = queryset.filter(week_ending=week)
        district = self.request.query_params.get("district", "")
        if district.isdigit():
            queryset = queryset.filter(district_id=int(district))
        return queryset.order_by("-week_ending", "district_id")

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request, pk=None):
        """The report as the official XLSX template, filled with what the caller may see of it."""
        report = self.get_object()
        template = template_build(
            district=report.district,
            week_ending=report.week_ending,
            values=selectors.visible_values(request.user, report),
            system=district_week_figures(report.week_ending, [report.district_id])[report.district_id],
            officer=primary_focal_officer(report.district),
        )
        response = download_response(template.content, filename=template.filename)
        return response


@extend_schema_view(list=extend_schema(parameters=[WEEK]))
class RollupViewSet(viewsets.ReadOnlyModelViewSet):
    """Every revision of the provincial roll-up workbook (province staff)."""

    serializer_class = RollupSerializer

    def get_queryset(self):
        queryset = rollups_for(self.request.user)
        week = _week(self.request)
        if week:
            queryset = queryset.filter(week_ending=week)
        return queryset.order_by("-week_ending", "-revision")

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request, pk=None):
        rollup = self.get_object()
        return private_file_response(request, rollup.file_path, filename=rollup.filename, obj=rollup)
