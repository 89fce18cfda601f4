import factory
from django.contrib.auth.models import Group

from procurement.models import ContractCategory, Directorate, User


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Directorate {n}")
    code = factory.Sequence(lambda n: f"d{n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``roles=[Role.AUDITOR]`` puts them in those roles' groups."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@council.example")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    directorate = factory.SubFactory(DirectorateFactory)
    password = factory.django.Password("correct-horse-battery-staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=[role.label for role in extracted]))


class ContractCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractCategory

    name = factory.Sequence(lambda n: f"Category {n}")
    quality_weight = 50
    price_weight = 40
    social_value_weight = 10
