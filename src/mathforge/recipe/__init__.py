"""The whole Qwen2-Math recipe from one TOML file: ``run_recipe(path)`` (``mathforge recipe run``)."""

from mathforge.recipe.config import STAGE_ORDER, Recipe, RecipeError, default_recipe_path, load_recipe
from mathforge.recipe.runner import RecipeResult, StageFailed, plan, run_recipe

__all__ = [
    "STAGE_ORDER",
    "Recipe",
    "RecipeError",
    "RecipeResult",
    "StageFailed",
    "default_recipe_path",
    "load_recipe",
    "plan",
    "run_recipe",
]
