"""The planted-bug suite: each deliberately broken target (``tests/planted/targets``) makes the
cases that check the broken behaviour diverge, by case and by observable, while its unplanted
base matches on those cases, and real torch as the target diverges nowhere (the false-positive
control).

Two families of targets: torch-made ones (real torch through a proxy, one function or Tensor
method broken; base ``clean``) for every kind of bug, and refgrad-made ones (a private copy of
refgrad with one engine function patched; base ``refgrad_clean``) for the engine-level bugs.
The refgrad bases must already conform on the cases used here: if refgrad regresses on one of
them, the base test says which.

Each planted run covers a small subset of the cases (the areas the bug can touch) on the CPU
lanes only, so the module stays fast; ``must_match`` names cases of the same subset the bug
must leave alone, so a target that breaks everything would fail too.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import functools
from dataclasses import dataclass, field

import pytest

from conformance import runner
from conformance.case import collect
from conformance.fuzz import campaign
from conformance.fuzz.profiles import PROFILES, generate

TARGETS = "tests.planted.targets"
BASE = f"{TARGETS}.clean"
REFGRAD_BASE = f"{TARGETS}.refgrad_clean"
PAIR = "target~torch-cpu"


@dataclass(frozen=True)
class Planted:
    bug: str                        # module name under tests/planted/targets
    subset: tuple[str, ...]         # case-id globs the run covers
    must_diverge: dict              # case-id glob -> observables that must diverge
    must_match: tuple[str, ...]     # case-id globs that must still match on the planted target
    status: str = "diverge"         # the status the expected records get ("missing" for one)
    unchanged: dict = field(default_factory=dict)  # case glob -> observables that must not differ
    base: str = BASE                # the same kind of target with nothing broken


PLANTED = [
    Planted(
        "wrong_gradient",
        subset=("ops::sigmoid[*]", "ops::tanh[*]", "edges::*", "autograd_grad::*"),
        must_diverge={"ops::sigmoid[*]": {"vjp a"},
                      "edges::gradient_at[sigmoid saturation]": {"x.grad"},
                      "autograd_grad::second_derivative_of_sigmoid_and_tanh": {"sigmoid'"}},
        must_match=("ops::tanh[*]", "edges::gradient_at[tanh saturation]",
                    "autograd_grad::higher_order_cube"),
        unchanged={"ops::sigmoid[*]": {"out", "out.grad_fn"}},
    ),
    Planted(
        "overwrite_grad",
        subset=("accumulation::*", "tutorial::*", "jacobian::*"),
        must_diverge={"accumulation::accumulates_in_place": {"after second", "same object"},
                      "accumulation::accumulates_across_graphs": {"w.grad"},
                      "accumulation::zero_keeps_the_object": {"same object after zero_"},
                      "tutorial::retain_graph": {"b.grad after second backward",
                                                 "w.grad after second backward"},
                      "tutorial::jacobian_eye": {"second call"},
                      "jacobian::eye_pow_accumulates_over_calls": {"after 2", "after 3"}},
        must_match=("accumulation::grad_is_none_before_backward",
                    "accumulation::leaf_used_several_times", "tutorial::backward",
                    "jacobian::gradient_scales"),
    ),
    Planted(
        "no_second_backward_error",
        subset=("retain_graph::*", "tutorial::*", "errors::backward_*", "bce::second_*"),
        must_diverge={"tutorial::second_backward_raises": {"second backward"},
                      "errors::backward_twice": {"error"},
                      "bce::second_backward_raises": {"second backward"},
                      "retain_graph::second_backward[a*b]": {"second backward"},
                      "retain_graph::second_backward[exp]": {"second backward"},
                      "retain_graph::second_backward[A@B]": {"second backward"},
                      "retain_graph::second_backward[bce_with_logits]": {"second backward"}},
        must_match=("retain_graph::second_backward[a+b]", "retain_graph::second_backward[sum()]",
                    "retain_graph::second_backward[view]",
                    "retain_graph::autograd_grad_frees_the_graph", "tutorial::backward"),
    ),
    Planted(
        "no_grad_does_nothing",
        subset=("grad_mode::*", "tutorial::*"),
        must_diverge={"grad_mode::no_grad_outputs_are_leaves": {"inside", "y flags"},
                      "grad_mode::no_grad_decorator": {"@no_grad()", "@no_grad"},
                      "grad_mode::enable_grad_inside_no_grad": {"no_grad"},
                      "tutorial::no_grad": {"inside"}},
        must_match=("grad_mode::set_grad_enabled_context", "grad_mode::inference_mode",
                    "grad_mode::enable_grad_decorator_inside_no_grad", "tutorial::detach"),
    ),
    Planted(
        "detach_copies",
        subset=("detach::*", "tutorial::*"),
        must_diverge={"detach::shares_storage": {"a after d.zero_()"},
                      "detach::version_counter_is_shared": {"versions after"},
                      "detach::version_counter_error_through_detach_of_leaf": {"backward"},
                      "detach::version_counter_error_through_detach_of_output": {"backward"}},
        must_match=("detach::flags", "detach::detach_breaks_the_graph", "tutorial::detach"),
    ),
    Planted(
        "wrong_grad_fn_name",
        subset=("ops::exp[*]", "ops::log[*]", "graph::unary[*]"),
        must_diverge={"ops::exp[*]": {"out.grad_fn"}, "graph::unary[exp]": {"grad_fn", "graph"}},
        must_match=("graph::unary[a.exp()]", "graph::unary[log]", "ops::log[*]"),
        unchanged={"ops::exp[*]": {"vjp a", "out.shape", "out.dtype"}},
    ),
    Planted(
        "changed_error_message",
        subset=("errors::*", "ops::cat[*]"),
        must_diverge={"errors::cat_size_mismatch": {"error"}},
        must_match=("errors::stack_size_mismatch", "ops::cat[*]"),
    ),
    Planted(
        "wrong_exception_type",
        subset=("errors::*", "bce::*"),
        must_diverge={"errors::bce_with_logits_target_size": {"error"},
                      "errors::bce_with_logits_target_extra_dim": {"error"}},
        must_match=("errors::bce_target_size", "errors::bce_with_logits_int_target",
                    "bce::value_and_grad[*]"),
    ),
    Planted(
        "misuse_wrong_errors",
        subset=("misuse::*",),
        must_diverge={"misuse::misuse[factories]": {"torch.ones(-1)", "torch.zeros(2, -1)"},
                      "misuse::misuse[ranges_and_seeds]": {"torch.arange(10, 0, 1)"}},
        must_match=("misuse::misuse[views]", "misuse::misuse[autograd]",
                    "misuse::misuse[reductions]"),
        unchanged={"misuse::misuse[factories]": {"torch.ones(2.5)", "torch.eye(-1)"}},
    ),
    Planted(
        "missing_function",
        subset=("ops::maximum[*]", "ops::minimum[*]", "graph::unary[*]"),
        must_diverge={"ops::maximum[*]": set(), "graph::unary[maximum]": set()},
        must_match=("ops::minimum[*]", "graph::unary[minimum]"),
        status="missing",
    ),
    Planted(
        "changed_repr",
        subset=("printing::*",),
        must_diverge={"printing::repr_suffix[leaf-0d]": {"repr"},
                      "printing::repr_suffix[leaf-1d]": {"repr"},
                      "printing::repr_suffix[leaf-float64]": {"repr"},
                      "printing::repr_suffix[leaf-wraps-12]": {"repr"}},
        must_match=("printing::repr_suffix[grad_fn-0d]", "printing::repr[*]",
                    "printing::format"),
    ),
]


PLANTED_BY_BUG = {p.bug: p for p in PLANTED}


def _refgrad_variant(bug: str, **changes) -> Planted:
    """The same bug planted in a private copy of refgrad instead of a torch proxy."""
    return dataclasses.replace(PLANTED_BY_BUG[bug], bug=f"refgrad_{bug}", base=REFGRAD_BASE,
                               **changes)


PLANTED += [
    Planted(
        "isfinite_wrong_on_inf",
        subset=("tensor_api::isinf_isnan_isfinite", "tensor_api::movedim[*]"),
        must_diverge={"tensor_api::isinf_isnan_isfinite": {"isfinite", "t.isfinite()"}},
        must_match=("tensor_api::movedim[*]",),
        unchanged={"tensor_api::isinf_isnan_isfinite": {"isinf", "isnan", "isfinite(int)"}},
    ),
    Planted(
        "refgrad_var_without_correction",
        subset=("tensor_api::var_std[*]", "tensor_api::norm[*-norm()]"),
        must_diverge={"tensor_api::var_std[*-var()]": {"out", "vjp x"},
                      "tensor_api::var_std[*-std(dim=1, keepdim=True)]": {"out", "vjp x"},
                      "tensor_api::var_std[*-var(dim=(0, 1), correction=2)]": {"out"}},
        must_match=("tensor_api::var_std[*-var(1, unbiased=False)]",
                    "tensor_api::var_std[*-std(correction=0)]", "tensor_api::norm[*-norm()]"),
        unchanged={"tensor_api::var_std[*]": {"out.grad_fn", "out.shape", "out.dtype"}},
        base=REFGRAD_BASE,
    ),
]

ADAM_CASES = ("optim::steps_with_given_gradients[*-Adam]",
              "optim::steps_with_given_gradients[*-Adam-decay-amsgrad]",
              "optim::steps_with_given_gradients[*-Adam-betas-maximize]",
              "optim::steps_with_given_gradients[*-AdamW]",
              "optim::steps_with_given_gradients[*-AdamW-amsgrad]")

# nn and optim: private copies of refgrad with one function broken
PLANTED += [
    Planted(
        "refgrad_zero_grad_zeros",
        subset=("nn::zero_grad", "optim::zero_grad", "optim::training_a_linear_model[*]",
                "optim::closure"),
        must_diverge={"nn::zero_grad": {"after zero_grad()"},
                      "optim::zero_grad": {"after zero_grad()"}},
        must_match=("optim::training_a_linear_model[*]", "optim::closure"),
        unchanged={"nn::zero_grad": {"zeroed", "same object"},
                   "optim::zero_grad": {"zeroed", "same object"}},
        base=REFGRAD_BASE,
    ),
    Planted(
        "refgrad_adam_no_bias_correction",
        subset=("optim::steps_with_given_gradients[*]", "optim::training_a_linear_model[*]"),
        must_diverge={**{case: {"p after step 1", "p after step 5"} for case in ADAM_CASES},
                      "optim::training_a_linear_model[Adam]": {"weight", "bias"},
                      "optim::training_a_linear_model[AdamW]": {"weight", "bias"}},
        must_match=("optim::steps_with_given_gradients[*-SGD*]",
                    "optim::training_a_linear_model[SGD-momentum]"),
        unchanged={case: {"version"} for case in ADAM_CASES},
        base=REFGRAD_BASE,
    ),
    Planted(
        "refgrad_linear_skips_bias",
        subset=("nn::linear_*", "nn::mlp_forward_backward[*]", "nn::activation_modules[*]",
                "optim::training_a_linear_model[*]"),
        must_diverge={"nn::linear_forward_backward[*]": {"bias.grad", "graph(y)"},
                      "nn::mlp_forward_backward[*]": {"0.bias.grad", "2.bias.grad"},
                      "optim::training_a_linear_model[*]": {"bias"}},
        must_match=("nn::linear_without_bias", "nn::activation_modules[*]"),
        unchanged={"nn::linear_forward_backward[*]": {"y", "x.grad", "weight.grad"},
                   "nn::mlp_forward_backward[*]": {"loss", "0.weight.grad"}},
        base=REFGRAD_BASE,
    ),
]


PLANTED += [
    Planted(
        "refgrad_needs_input_grad_always_true",
        subset=("custom_function::*",),
        must_diverge={"custom_function::needs_input_grad": {"seen"}},
        must_match=("custom_function::relu_forward_backward_and_node",
                    "custom_function::setup_context_form", "custom_function::double_backward",
                    "custom_function::saved_input_modified_in_place"),
        unchanged={"custom_function::needs_input_grad": {"a.grad", "b.grad", "next"}},
        base=REFGRAD_BASE,
    ),
    Planted(
        "refgrad_saved_tensors_ignore_version",
        subset=("custom_function::*",),
        must_diverge={"custom_function::saved_input_modified_in_place": {"backward"},
                      "custom_function::saved_output_modified_in_place": {"after in-place"}},
        must_match=("custom_function::saved_tensors_freed_after_backward",
                    "custom_function::needs_input_grad", "custom_function::double_backward"),
        unchanged={"custom_function::saved_output_modified_in_place": {"grad"},
                   "custom_function::saved_input_modified_in_place": {"z version"}},
        base=REFGRAD_BASE,
    ),
]

# forward mode: private copies of refgrad with one formula or one function broken
PLANTED += [
    Planted(
        "refgrad_jvp_off_by_a_factor",
        subset=("forward_ad::*",),
        must_diverge={"forward_ad::jvp_sin[*]": {"tangent"}},
        must_match=("forward_ad::jvp_cos[*]", "forward_ad::jvp_sinh[*]",
                    "forward_ad::jvp_mul[*]", "forward_ad::unpack_dual_namedtuple",
                    "forward_ad::custom_function_jvp", "forward_ad::functional_jvp"),
        unchanged={"forward_ad::jvp_sin[*]": {"out", "out.grad_fn"}},
        base=REFGRAD_BASE,
    ),
    Planted(
        "refgrad_unpack_dual_drops_tangent",
        subset=("forward_ad::*",),
        must_diverge={"forward_ad::jvp_sin[*]": {"tangent"},
                      "forward_ad::jvp_matmul[*]": {"tangent"},
                      "forward_ad::unpack_dual_namedtuple": {"tangent is v"},
                      "forward_ad::custom_function_jvp": {"product[1]", "sum[1]", "scaled[1]"}},
        must_match=("forward_ad::make_dual_needs_a_level", "forward_ad::make_dual_errors",
                    "forward_ad::levels", "forward_ad::functional_jvp",
                    "forward_ad::printing_a_dual_tensor"),
        unchanged={"forward_ad::jvp_sin[*]": {"out", "out.grad_fn"},
                   "forward_ad::unpack_dual_namedtuple": {"primal", "fields", "type"}},
        base=REFGRAD_BASE,
    ),
]

SAVED_HOOK_CASES = ("saved_tensors::hooks_pack_and_unpack_order",
                    "saved_tensors::hooks_nest_innermost_wins",
                    "saved_tensors::custom_function_saved_through_hooks")
NAN_CASES = ("anomaly::nan_from_sqrt_of_negative", "anomaly::nan_in_the_second_output",
             "anomaly::nan_root_gradient", "anomaly::nan_through_autograd_grad")

# saved tensors and anomaly mode
PLANTED += [
    Planted(
        "refgrad_pack_hook_not_called",
        subset=("saved_tensors::*",),
        must_diverge={**{case: {"log"} for case in SAVED_HOOK_CASES},
                      "saved_tensors::hooks_see_the_saved_tensors_themselves": {"count"},
                      "saved_tensors::hooks_unpack_returning_a_non_tensor": {"access",
                                                                              "backward"},
                      "saved_tensors::hooks_skip_the_version_check": {"hooked backward"}},
        must_match=("saved_tensors::saved_attribute_names[*]",
                    "saved_tensors::saved_after_backward",
                    "saved_tensors::saved_with_retain_graph",
                    "saved_tensors::raw_saved_register_hooks_errors"),
        unchanged={"saved_tensors::hooks_skip_the_version_check": {"unhooked backward"},
                   "saved_tensors::custom_function_saved_through_hooks": {"x.grad"}},
        base=REFGRAD_BASE,
    ),
    Planted(
        "refgrad_saved_other_wrong_operand",
        subset=("saved_tensors::saved_*",),
        must_diverge={"saved_tensors::saved_attribute_names[a*b]": {"values[_saved_other]"},
                      "saved_tensors::saved_attribute_names[a/b]": {"values[_saved_other]"},
                      "saved_tensors::saved_inputs_are_the_inputs_and_the_result_is_not":
                          {"other is b"}},
        must_match=("saved_tensors::saved_attribute_names[exp]",
                    "saved_tensors::saved_attribute_names[a**b]",
                    "saved_tensors::saved_after_backward",
                    "saved_tensors::saved_with_retain_graph"),
        unchanged={"saved_tensors::saved_attribute_names[a*b]": {"values[_saved_self]", "names"},
                   "saved_tensors::saved_inputs_are_the_inputs_and_the_result_is_not":
                       {"self is a", "result equals e"}},
        base=REFGRAD_BASE,
    ),
    Planted(
        "refgrad_anomaly_no_nan_check",
        subset=("anomaly::*",),
        must_diverge={case: {"result", "warnings"} for case in NAN_CASES},
        must_match=("anomaly::error_in_a_custom_backward", "anomaly::version_error_hint",
                    "anomaly::check_nan_off", "anomaly::node_made_before_anomaly_mode",
                    "anomaly::no_anomaly_no_warning",
                    "anomaly::flags_through_the_context_managers"),
        base=REFGRAD_BASE,
    ),
]

PLANTED += [
    Planted(
        "refgrad_vmap_ignores_in_dims",
        subset=("func::vmap_*", "func::grad_argnums"),
        must_diverge={"func::vmap_in_dims": {"1", "-1", "(1, 0)", "nested tuple", "dict"},
                      "func::vmap_nested_and_differentiable": {"in_dims 1 inside"}},
        must_match=("func::vmap_out_dims", "func::vmap_errors", "func::grad_argnums"),
        unchanged={"func::vmap_in_dims": {"0", "(0, None)", "kwargs unmapped"},
                   "func::vmap_nested_and_differentiable": {"vmap(vmap)", "a.grad"}},
        base=REFGRAD_BASE,
    ),
    Planted(
        "refgrad_grad_ignores_argnums",
        subset=("func::grad_*", "func::jacobian_of_a_layer[*]", "func::jvp",
                "func::vmap_in_dims"),
        must_diverge={"func::grad_argnums": {"argnums=1", "argnums=(0, 1)[1]",
                                             "argnums=(1,)[0]"},
                      "func::jacobian_of_a_layer[*]": {"argnums=2", "argnums=(0, 1)[0]",
                                                       "argnums=(0, 1)[1]"}},
        must_match=("func::grad_of_scalar_function", "func::grad_errors", "func::jvp",
                    "func::vmap_in_dims", "func::grad_of_container_arguments"),
        unchanged={"func::grad_argnums": {"argnums=-2"},
                   "func::jacobian_of_a_layer[*]": {"flags"}},
        base=REFGRAD_BASE,
    ),
    Planted(
        "refgrad_forward_mode_first_tangent_only",
        subset=("func::jvp", "func::jacobian_*", "func::hessians_by_composition",
                "func::hvp_*", "func::grad_argnums"),
        must_diverge={"func::jvp": {"tangents[0]", "tangents[1]"},
                      "func::jacobian_of_a_layer[jacfwd]": {"argnums=(0, 1)[1]"},
                      "func::jacobian_structures[jacfwd]": {"outputs dict[s][1]",
                                                            "container argument[b]"},
                      "func::hessians_by_composition": {"argnums=(0, 1)[0][1]",
                                                        "argnums=(0, 1)[1][1]"}},
        must_match=("func::jacobian_of_a_layer[jacrev]", "func::jacobian_structures[jacrev]",
                    "func::hvp_*", "func::grad_argnums"),
        unchanged={"func::jvp": {"out", "tangent", "outs", "tangent3"},
                   "func::jacobian_of_a_layer[jacfwd]": {"argnums=2", "argnums=(0, 1)[0]"},
                   "func::hessians_by_composition": {"hessian", "jacrev(jacrev)"}},
        base=REFGRAD_BASE,
    ),
]

PLANTED += [
    _refgrad_variant("overwrite_grad"),
    # refgrad frees saved values in autograd.grad through the same path, so there the bug
    # also lets a second autograd.grad through.
    _refgrad_variant(
        "no_second_backward_error",
        must_diverge={**PLANTED_BY_BUG["no_second_backward_error"].must_diverge,
                      "retain_graph::autograd_grad_frees_the_graph": {"second"}},
        must_match=tuple(p for p in PLANTED_BY_BUG["no_second_backward_error"].must_match
                         if p != "retain_graph::autograd_grad_frees_the_graph")),
    _refgrad_variant("no_grad_does_nothing"),
    _refgrad_variant("detach_copies"),
    _refgrad_variant("wrong_gradient"),
]


def _matches(case_id: str, pattern: str) -> bool:
    """Case-id globs: ``*`` is the wildcard, brackets stand for themselves."""
    escaped = "".join("[[]" if ch == "[" else "[]]" if ch == "]" else ch for ch in pattern)
    return fnmatch.fnmatchcase(case_id, escaped)


@functools.lru_cache(maxsize=None)
def _all_cases():
    return tuple(collect())


def _subset(patterns: tuple[str, ...]) -> list:
    chosen = [c for c in _all_cases() if any(_matches(c.id, p) for p in patterns)]
    assert chosen, f"no case matches {patterns}"
    return chosen


@functools.lru_cache(maxsize=None)
def _records(target: str, patterns: tuple[str, ...]) -> dict[str, dict]:
    """The target~torch-cpu record of every case in the subset, by case id."""
    report = runner.run(target=target, cases=_subset(patterns), known=[], want_cuda=False)
    return {r["case"]: r for r in report["records"] if r["pair"] == PAIR}


def _ids(records: dict, pattern: str) -> list[str]:
    """A case id itself (ids may hold a literal "*", as in ``[a*b]``), else the glob's cases."""
    if pattern in records:
        return [pattern]
    ids = [case_id for case_id in records if _matches(case_id, pattern)]
    assert ids, f"pattern {pattern!r} matches no case of the run"
    return ids


def _diverging(record: dict) -> set[str]:
    return {o["name"] for o in record["observables"] if o["status"] == "diverge"}


@pytest.mark.parametrize("planted", PLANTED, ids=[p.bug for p in PLANTED])
def test_planted_bug_makes_the_expected_cases_diverge(planted):
    records = _records(f"{TARGETS}.{planted.bug}", planted.subset)
    for pattern, observables in planted.must_diverge.items():
        for case_id in _ids(records, pattern):
            record = records[case_id]
            assert record["status"] == planted.status, (case_id, record["status"],
                                                         record["reason"])
            missing = observables - _diverging(record)
            assert not missing, f"{case_id}: {sorted(missing)} should diverge, " \
                                f"got {sorted(_diverging(record))}"
    for pattern, observables in planted.unchanged.items():
        for case_id in _ids(records, pattern):
            assert not observables & _diverging(records[case_id]), case_id


@pytest.mark.parametrize("planted", PLANTED, ids=[p.bug for p in PLANTED])
def test_planted_bug_leaves_other_cases_alone(planted):
    records = _records(f"{TARGETS}.{planted.bug}", planted.subset)
    for pattern in planted.must_match:
        for case_id in _ids(records, pattern):
            assert records[case_id]["status"] == "match", (case_id, records[case_id]["reason"])


@pytest.mark.parametrize("planted", PLANTED, ids=[p.bug for p in PLANTED])
def test_unplanted_base_matches_where_the_bug_diverges(planted):
    """Not vacuous: the same cases, on the same torch-made target without the bug, match."""
    records = _records(planted.base, planted.subset)
    for pattern in (*planted.must_diverge, *planted.must_match):
        for case_id in _ids(records, pattern):
            assert records[case_id]["status"] == "match", (case_id, records[case_id]["reason"])


def test_missing_function_names_what_is_missing():
    records = _records(f"{TARGETS}.missing_function", PLANTED_BY_BUG["missing_function"].subset)
    record = records["graph::unary[maximum]"]
    assert record["status"] == "missing"
    assert record["reason"].endswith("lacks tests.planted.targets.missing_function.maximum")


def test_changed_error_message_keeps_the_class():
    records = _records(f"{TARGETS}.changed_error_message", ("errors::*", "ops::cat[*]"))
    (error,) = [o for o in records["errors::cat_size_mismatch"]["observables"]
                if o["name"] == "error"]
    assert error["left"]["class"] == error["right"]["class"] == "RuntimeError"
    assert "Tensor sizes must agree" in error["left"]["message"]
    assert "Sizes of tensors must match" in error["right"]["message"]


def test_wrong_exception_type_keeps_the_message():
    records = _records(f"{TARGETS}.wrong_exception_type", ("errors::*", "bce::*"))
    (error,) = [o for o in records["errors::bce_with_logits_target_size"]["observables"]
                if o["name"] == "error"]
    assert (error["left"]["class"], error["right"]["class"]) == ("RuntimeError", "ValueError")
    assert error["left"]["message"] == error["right"]["message"]


@pytest.mark.parametrize("bug", ["wrong_gradient", "refgrad_wrong_gradient"])
def test_wrong_gradient_is_off_by_the_planted_relative_error(bug):
    records = _records(f"{TARGETS}.{bug}", PLANTED_BY_BUG["wrong_gradient"].subset)
    (vjp,) = [o for o in records["ops::sigmoid[float64-2x3]"]["observables"]
              if o["name"] == "vjp a"]
    assert vjp["max_rel"] == pytest.approx(1e-3, rel=1e-6)


def test_unplanted_base_matches_everywhere():
    """The torch-made base itself is faithful on every case (not just the planted subsets)."""
    report = runner.run(target=BASE, known=[], want_cuda=False)
    bad = [r["id"] for r in report["records"] if r["status"] not in ("match", "not_run")]
    assert not bad
    assert report["summary"]["total"]["match"] == len(_all_cases())


def test_torch_as_target_diverges_nowhere():
    """The false-positive control: real torch against itself, every case, every lane present."""
    report = runner.run(target="torch")
    records = report["records"]
    assert {r["case"] for r in records} == {c.id for c in _all_cases()}
    target_cpu = [r for r in records if r["pair"] == PAIR]
    assert [r["id"] for r in target_cpu if r["status"] != "match"] == []
    others = [r for r in records if r["pair"] != PAIR]
    assert [r["id"] for r in others if r["status"] not in ("match", "known", "not_run")] == []
    assert report["summary"]["unexpected"] == 0


# ---------------------------------------------------------------- fuzz programs that misbehave

FUZZ_TARGETS = "tests.planted.fuzz_targets"


def _fuzz_records(target: str, seeds: list[int], timeout_s: float) -> dict:
    """The target~torch-cpu record of each seed's program, by seed."""
    records, stats, _, _ = campaign.run_campaign(PROFILES["ci"], seeds, target, want_cuda=False,
                                                 shrink_divergences=False, timeout_s=timeout_s)
    assert stats["programs"] == len(seeds)
    return {r.fuzz["seed"]: r for r in records if r.pair == PAIR}


def _uses(seed: int, ops: set[str]) -> bool:
    return bool(ops & {step.op for step in generate(PROFILES["ci"], seed)[0].steps})


def _seeds(wanted: list[tuple[set[str], set[str]]]) -> list[int]:
    """The first ci seeds whose programs use an op of each ``uses`` set and none of its
    ``avoids`` set, one seed per entry (seeds follow the catalogue, so they are searched)."""
    chosen = []
    for uses, avoids in wanted:
        chosen.append(next(seed for seed in range(200) if seed not in chosen
                           and (not uses or _uses(seed, uses)) and not _uses(seed, avoids)))
    return chosen


def test_a_fuzz_program_that_hangs_is_a_timeout_and_the_campaign_goes_on():
    # the first program calls sigmoid, which never returns on this target; the others do not
    seeds = _seeds([({"sigmoid"}, set())] + [(set(), {"sigmoid"})] * 3)
    records = _fuzz_records(f"{FUZZ_TARGETS}.hangs", seeds, timeout_s=5.0)
    hung = records[seeds[0]]
    assert hung.status == "timeout", hung.reason
    assert hung.id == f"fuzz::seed-{seeds[0]}[target~torch-cpu]"
    assert f"--replay {seeds[0]}" in hung.reason
    assert hung.reproducer and "def program(" in hung.reproducer
    assert {records[s].status for s in seeds[1:]} == {"match"}, [records[s].reason for s in seeds]


def test_a_fuzz_program_that_kills_its_process_is_a_crash_and_the_campaign_goes_on():
    # log segfaults on this target, sqrt calls os._exit(3); two programs use neither
    crashing = _seeds([({"log"}, set()), ({"sqrt"}, {"log"})])
    calm = _seeds([(set(), {"log", "sqrt"})] * 2)
    seeds = crashing + calm
    records = _fuzz_records(f"{FUZZ_TARGETS}.crashes", seeds, timeout_s=30.0)
    for seed in crashing:
        record = records[seed]
        assert record.status == "crash", (seed, record.status, record.reason)
        assert f"--replay {seed}" in record.reason
    assert "killed by SIGSEGV" in records[crashing[0]].reason
    assert "exit code 3" in records[crashing[1]].reason
    assert {records[s].status for s in calm} == {"match"}
