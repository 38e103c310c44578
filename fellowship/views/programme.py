"""Faculty pages for the programme's reference data: cohorts, regions, organisations, funders,
fellows and workshops. Plain generic views: permission, form, save, redirect."""

from __future__ import annotations

from django.contrib.messages.views import SuccessMessageMixin
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.views.generic import CreateView, DetailView, ListView, UpdateView
from rules.contrib.views import PermissionRequiredMixin

from ..enums import FellowStatus
from ..forms import (
    CohortForm,
    FellowFilterForm,
    FellowForm,
    FundedPostFormSet,
    FunderForm,
    OrganisationForm,
    RegionForm,
    SpeakerFormSet,
    WorkshopForm,
)
from ..models import Cohort, Fellow, Funder, Organisation, Region, Workshop
from ..pagination import PaginatedList
from ..uploads import attachment


class FormPage(PermissionRequiredMixin, SuccessMessageMixin):
    """A create or edit page on the shared form template, with optional inline formsets."""

    template_name = "fellowship/form_page.html"
    formset_classes: dict = {}
    page_title = ""
    cancel_url = reverse_lazy("home")

    def get_formsets(self):
        kwargs = {"instance": getattr(self, "object", None)}
        if self.request.method == "POST":
            kwargs.update(data=self.request.POST, files=self.request.FILES)
        return {name: cls(prefix=name, **kwargs) for name, cls in self.formset_classes.items()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formsets", self.get_formsets())
        context["page_title"] = self.page_title.format(object=getattr(self, "object", None))
        context["cancel_url"] = self.get_cancel_url()
        return context

    def get_cancel_url(self) -> str:
        return str(self.cancel_url)

    def form_valid(self, form):
        formsets = self.get_formsets()
        for formset in formsets.values():
            formset.instance = form.instance
        if not all(fs.is_valid() for fs in formsets.values()):
            return self.render_to_response(self.get_context_data(form=form, formsets=formsets))
        with transaction.atomic():
            response = super().form_valid(form)
            for formset in formsets.values():
                formset.instance = self.object
                formset.save()
        return response


# Cohorts --------------------------------------------------------------------------------------


class CohortList(PermissionRequiredMixin, ListView):
    permission_required = "fellowship.view_cohort"
    template_name = "fellowship/cohort_list.html"

    def get_queryset(self):
        return (
            Cohort.objects.with_counts()
            .annotate(
                in_post=Count(
                    "fellows", filter=Q(fellows__status=FellowStatus.IN_POST), distinct=True
                ),
                graduated=Count(
                    "fellows", filter=Q(fellows__status=FellowStatus.GRADUATED), distinct=True
                ),
            )
            .order_by("number")
        )


class CohortDetail(PermissionRequiredMixin, DetailView):
    permission_required = "fellowship.view_cohort"
    template_name = "fellowship/cohort_detail.html"
    slug_field = slug_url_kwarg = "number"

    def get_queryset(self):
        return Cohort.objects.with_counts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cohort = self.object
        context["by_region"] = (
            cohort.fellows.values("region__name")
            .annotate(n=Count("id"))
            .order_by("-n", "region__name")
        )
        context["by_profession"] = (
            cohort.fellows.values("profession").annotate(n=Count("id")).order_by("-n")
        )
        context["workshops"] = cohort.workshops.select_related(
            "host_organisation"
        ).prefetch_related("themes")
        context["funded_posts"] = cohort.funded_posts.select_related("funder", "region")
        return context


class CohortCreate(FormPage, CreateView):
    permission_required = "fellowship.add_cohort"
    form_class = CohortForm
    page_title = "Add a cohort"
    success_message = "Cohort %(number)s added"
    cancel_url = reverse_lazy("cohort_list")

    def get_permission_object(self):
        return None

    def get_success_url(self):
        return reverse("cohort_detail", args=[self.object.number])


class CohortUpdate(FormPage, UpdateView):
    permission_required = "fellowship.change_cohort"
    model = Cohort
    form_class = CohortForm
    slug_field = slug_url_kwarg = "number"
    page_title = "Change {object}"
    success_message = "Cohort %(number)s saved"

    def get_cancel_url(self):
        return reverse("cohort_detail", args=[self.object.number])

    def get_success_url(self):
        return reverse("cohort_detail", args=[self.object.number])


# Regions and organisations --------------------------------------------------------------------


class RegionList(PermissionRequiredMixin, ListView):
    permission_required = "fellowship.view_region"
    template_name = "fellowship/region_list.html"

    def get_queryset(self):
        return Region.objects.annotate(
            fellow_count=Count("fellows", distinct=True),
            organisation_count=Count("organisations", distinct=True),
        ).order_by("name")


class RegionCreate(FormPage, CreateView):
    permission_required = "fellowship.add_region"
    form_class = RegionForm
    page_title = "Add a region"
    success_message = "Region %(name)s added"
    success_url = cancel_url = reverse_lazy("region_list")

    def get_permission_object(self):
        return None


class RegionUpdate(FormPage, UpdateView):
    permission_required = "fellowship.change_region"
    model = Region
    form_class = RegionForm
    page_title = "Change {object}"
    success_message = "Region %(name)s saved"
    success_url = cancel_url = reverse_lazy("region_list")


class OrganisationList(PermissionRequiredMixin, PaginatedList, ListView):
    permission_required = "fellowship.view_organisation"
    template_name = "fellowship/organisation_list.html"

    def get_queryset(self):
        return (
            Organisation.objects.select_related("region")
            .annotate(workshop_count=Count("hosted_workshops"))
            .order_by("name")
        )


class OrganisationCreate(FormPage, CreateView):
    permission_required = "fellowship.add_organisation"
    form_class = OrganisationForm
    page_title = "Add an organisation"
    success_message = "%(name)s added"
    success_url = cancel_url = reverse_lazy("organisation_list")

    def get_permission_object(self):
        return None


class OrganisationUpdate(FormPage, UpdateView):
    permission_required = "fellowship.change_organisation"
    model = Organisation
    form_class = OrganisationForm
    page_title = "Change {object}"
    success_message = "%(name)s saved"
    success_url = cancel_url = reverse_lazy("organisation_list")


# Funders --------------------------------------------------------------------------------------


class FunderList(PermissionRequiredMixin, ListView):
    permission_required = "fellowship.list_funders"
    template_name = "fellowship/funder_list.html"

    def get_queryset(self):
        return (
            Funder.objects.for_user(self.request.user)
            .annotate(
                fellow_count=Count("fellows", distinct=True),
                places=Count("posts", distinct=True),
            )
            .order_by("name")
        )


class FunderDetail(PermissionRequiredMixin, DetailView):
    permission_required = "fellowship.view_funder"
    template_name = "fellowship/funder_detail.html"

    def get_queryset(self):
        return Funder.objects.for_user(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["posts"] = self.object.posts.select_related("cohort", "region")
        context["by_cohort"] = self.object.fellows.counts_by_funder_and_cohort()
        return context


class FunderCreate(FormPage, CreateView):
    permission_required = "fellowship.add_funder"
    form_class = FunderForm
    formset_classes = {"posts": FundedPostFormSet}
    page_title = "Add a funder"
    success_message = "%(name)s added"
    cancel_url = reverse_lazy("funder_list")

    def get_permission_object(self):
        return None

    def get_success_url(self):
        return reverse("funder_detail", args=[self.object.pk])


class FunderUpdate(FormPage, UpdateView):
    permission_required = "fellowship.change_funder"
    model = Funder
    form_class = FunderForm
    formset_classes = {"posts": FundedPostFormSet}
    page_title = "Change {object}"
    success_message = "%(name)s saved"

    def get_cancel_url(self):
        return reverse("funder_detail", args=[self.object.pk])

    def get_success_url(self):
        return reverse("funder_detail", args=[self.object.pk])


def funder_mou(request, pk: int):
    """Download a funder's memorandum of understanding (faculty, or people acting for the funder)."""
    funder = get_object_or_404(Funder.objects.for_user(request.user), pk=pk)
    if not request.user.has_perm("fellowship.view_funder", funder) or not funder.mou:
        raise Http404
    return attachment(funder.mou, download_name=f"MoU - {funder.name}.pdf")


# Fellows --------------------------------------------------------------------------------------


class FellowList(PermissionRequiredMixin, PaginatedList, ListView):
    permission_required = "fellowship.view_fellow"
    template_name = "fellowship/fellow_list.html"

    def get_queryset(self):
        self.filters = FellowFilterForm(self.request.GET or None)
        qs = Fellow.objects.for_user(self.request.user).select_related(
            "cohort", "region", "funder", "user"
        )
        if self.filters.is_valid():
            data = self.filters.cleaned_data
            if data["q"]:
                qs = qs.filter(
                    Q(ref__icontains=data["q"])
                    | Q(full_name__icontains=data["q"])
                    | Q(user__full_name__icontains=data["q"])
                    | Q(specialty__icontains=data["q"])
                )
            for name in ("cohort", "region", "profession", "status"):
                if data[name]:
                    qs = qs.filter(**{name: data[name]})
            if data["account"]:
                qs = qs.filter(user__isnull=data["account"] == "no")
            if data["project"]:
                qs = (
                    qs.without_project()
                    if data["project"] == "no"
                    else qs.exclude(pk__in=Fellow.objects.without_project())
                )
        return qs.order_by("-cohort__number", "ref")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filters"] = self.filters
        return context


class FellowDetail(PermissionRequiredMixin, DetailView):
    permission_required = "fellowship.view_fellow"
    template_name = "fellowship/fellow_detail.html"

    def get_queryset(self):
        return Fellow.objects.for_user(self.request.user).select_related(
            "cohort", "region", "funder", "user"
        )


class FellowCreate(FormPage, CreateView):
    permission_required = "fellowship.add_fellow"
    form_class = FellowForm
    page_title = "Add a fellow"
    success_message = "Fellow %(ref)s added"
    cancel_url = reverse_lazy("fellow_list")

    def get_permission_object(self):
        return None

    def get_success_url(self):
        return reverse("fellow_detail", args=[self.object.pk])


class FellowUpdate(FormPage, UpdateView):
    permission_required = "fellowship.change_fellow"
    model = Fellow
    form_class = FellowForm
    page_title = "Change fellow {object.ref}"
    success_message = "Fellow %(ref)s saved"

    def get_cancel_url(self):
        return reverse("fellow_detail", args=[self.object.pk])

    def get_success_url(self):
        return reverse("fellow_detail", args=[self.object.pk])


# Workshops ------------------------------------------------------------------------------------


class WorkshopList(PermissionRequiredMixin, ListView):
    permission_required = "fellowship.list_workshops"
    template_name = "fellowship/workshop_list.html"

    def get_queryset(self):
        qs = Workshop.objects.select_related("cohort", "host_organisation").prefetch_related(
            "themes"
        )
        user = self.request.user
        if not user.has_perm("fellowship.view_cohort"):
            qs = qs.filter(cohort__fellows__user=user).distinct()
        self.cohort = self.request.GET.get("cohort", "")
        if self.cohort.isascii() and self.cohort.isdigit():  # isdigit() alone lets "²" through
            qs = qs.filter(cohort__number=int(self.cohort))
        return qs.order_by("-cohort__number", "date")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cohorts"] = (
            Cohort.objects.all() if self.request.user.has_perm("fellowship.view_cohort") else []
        )
        context["selected_cohort"] = self.cohort
        return context


class WorkshopDetail(PermissionRequiredMixin, DetailView):
    permission_required = "fellowship.view_workshop"
    template_name = "fellowship/workshop_detail.html"

    def get_queryset(self):
        return Workshop.objects.select_related("cohort", "host_organisation").prefetch_related(
            "themes", "speakers"
        )


class WorkshopCreate(FormPage, CreateView):
    permission_required = "fellowship.add_workshop"
    form_class = WorkshopForm
    formset_classes = {"speakers": SpeakerFormSet}
    page_title = "Add a workshop"
    success_message = "%(title)s added"
    cancel_url = reverse_lazy("workshop_list")

    def get_permission_object(self):
        return None

    def get_success_url(self):
        return reverse("workshop_detail", args=[self.object.pk])


class WorkshopUpdate(FormPage, UpdateView):
    permission_required = "fellowship.change_workshop"
    model = Workshop
    form_class = WorkshopForm
    formset_classes = {"speakers": SpeakerFormSet}
    page_title = "Change {object.title}"
    success_message = "%(title)s saved"

    def get_cancel_url(self):
        return reverse("workshop_detail", args=[self.object.pk])

    def get_success_url(self):
        return reverse("workshop_detail", args=[self.object.pk])
