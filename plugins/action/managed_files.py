"""Action for the managed_files module: render every file on the controller, then one module run.

Templates render exactly as ansible.builtin.template renders them (role template search path,
the task's variables, ansible_managed); controller files are read as bytes. The module then
compares and writes everything on the host in a single round trip.
"""

from __future__ import annotations

import base64
import os

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase
from ansible.template import trust_as_template
from ansible._internal._templating import _template_vars

SOURCES = ("template", "src", "content")


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("directories", "files"))

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        files = self._task.args.get("files") or []
        if not isinstance(files, list):
            raise AnsibleActionFail("files must be a list")
        rendered = [self._render_entry(entry, task_vars) for entry in files]
        module_args = {"directories": self._task.args.get("directories") or [], "files": rendered}
        result.update(self._execute_module(module_name=self._task.resolved_action or "managed_files",
                                           module_args=module_args, task_vars=task_vars))
        # The module's copy of its arguments holds every file's bytes (masked or not): drop it.
        result.pop("invocation", None)
        return result

    def _render_entry(self, entry, task_vars):
        if not isinstance(entry, dict) or "dest" not in entry:
            raise AnsibleActionFail(f"every item of files needs a dest: {entry!r}")
        given = [key for key in SOURCES if entry.get(key) is not None]
        if len(given) != 1:
            raise AnsibleActionFail(f"{entry['dest']}: give exactly one of template, src or content (got {given or 'none'})")
        if given[0] == "template":
            data = to_bytes(self._render_template(entry["template"], entry["dest"], task_vars))
        elif given[0] == "src":
            data = self._read_controller_file(entry["src"])
        else:
            data = to_bytes(entry["content"])
        out = {k: v for k, v in entry.items() if k not in SOURCES}
        out["content_base64"] = to_text(base64.b64encode(data))
        return out

    def _read_controller_file(self, src):
        try:
            path = self._find_needle("files", src)
        except AnsibleError as exc:
            raise AnsibleActionFail(to_text(exc))
        with open(to_bytes(path), "rb") as handle:
            return handle.read()

    def _render_template(self, name, dest, task_vars):
        try:
            source = self._find_needle("templates", name)
        except AnsibleError as exc:
            raise AnsibleActionFail(to_text(exc))
        # The same search path and template variables as ansible.builtin.template.
        searchpath = list(task_vars.get("ansible_search_path", [])) + [self._loader._basedir, os.path.dirname(source)]
        searchpath = [q for p in searchpath for q in (os.path.join(p, "templates"), p)]
        template_vars = dict(task_vars)
        template_vars.update(_template_vars.generate_ansible_template_vars(
            path=name, fullpath=source, dest_path=dest, include_ansible_managed="ansible_managed" not in template_vars))
        templar = self._templar.copy_with_new_env(searchpath=searchpath, available_variables=template_vars)
        data = trust_as_template(self._loader.get_text_file_contents(source))
        rendered = templar.template(data, escape_backslashes=False, overrides=dict(trim_blocks=True, lstrip_blocks=False))
        return "" if rendered is None else rendered
