"""The organisation: provider → region → probation delivery unit (PDU) → team."""

from django.db import models


class Provider(models.Model):
    """An organisation that supervises cases (the Probation Service; others as caseloads move)."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """One of the probation regions of England and Wales."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="regions")
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Pdu(models.Model):
    """A probation delivery unit: the local unit that holds teams and allocates cases."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="pdus")
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = "probation delivery unit"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team of practitioners led by a senior probation officer."""

    pdu = models.ForeignKey(Pdu, on_delete=models.PROTECT, related_name="teams")
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
