"""Package layout (the rest of the metadata is in pyproject.toml).

The prompt templates are edited in the top-level `prompts/` folder and ship inside the package as
`rag/prompt_templates/`, so an installed wheel finds them with importlib.resources. pyproject.toml
alone cannot map a folder outside `rag/` into the package while also discovering `rag`'s own
subpackages, hence this file.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=find_namespace_packages(include=["rag", "rag.*"], exclude=["*.__pycache__"]) + ["rag.prompt_templates"],
    package_dir={"rag.prompt_templates": "prompts"},
)
