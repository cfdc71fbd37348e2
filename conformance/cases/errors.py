"""The error catalogue: misuse of the autograd API and of ops, compared by exception type and
full message (object addresses normalised), plus the warnings that fire on every use.

Each case is one misuse. Nothing here triggers a CUDA device-side assertion (no out-of-range
tensor indices or class targets), so every case runs on every lane.
"""
import numpy as np

from conformance import observe
from conformance.cases._common import leaf, tensor


def _a(torch, device):
    return leaf(torch, device, np.array([1.5, -0.5, 2.0], dtype="float32"))


def _ones(torch, device, *shape, dtype="float32"):
    return tensor(torch, device, np.ones(shape, dtype=dtype))


# --- backward misuse -------------------------------------------------------------------------

def case_backward_non_scalar(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: (a * 2).backward())}


def case_backward_non_scalar_2d(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: (a.reshape(1, 3) * 2).backward())}


def case_backward_twice(torch, device):
    a = _a(torch, device)
    y = a.exp().sum()
    y.backward()
    return {"error": observe.error(lambda: y.backward())}


def case_backward_on_tensor_without_grad(torch, device):
    return {"error": observe.error(lambda: _ones(torch, device, 3).sum().backward())}


def case_backward_on_detached(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: a.detach().sum().backward())}


def case_backward_gradient_shape_mismatch(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: (a * 2).backward(_ones(torch, device, 2)))}


def case_backward_gradient_for_0d_has_shape_1(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: (a * 2).sum().backward(_ones(torch, device, 1)))}


def case_backward_gradient_list(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: (a * 2).backward([1.0, 1.0, 1.0]))}


def case_backward_inputs_empty(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: (a * 2).sum().backward(inputs=[]))}


def case_backward_inputs_without_grad(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(
        lambda: (a * 2).sum().backward(inputs=[_ones(torch, device, 3)]))}


# --- requires_grad misuse --------------------------------------------------------------------

def case_requires_grad_on_int_factory(torch, device):
    return {"error": observe.error(lambda: torch.tensor(np.array([1, 2, 3]), device=device,
                                                        requires_grad=True))}


def case_requires_grad_on_bool_factory(torch, device):
    return {"error": observe.error(lambda: torch.tensor(np.array([True]), device=device,
                                                        requires_grad=True))}


def case_requires_grad_method_on_int(torch, device):
    ints = tensor(torch, device, np.array([1, 2], dtype="int64"))
    return {"error": observe.error(lambda: ints.requires_grad_())}


def case_requires_grad_setter_on_int(torch, device):
    ints = tensor(torch, device, np.array([1, 2], dtype="int64"))

    def assign():
        ints.requires_grad = True

    return {"error": observe.error(assign)}


def case_requires_grad_false_on_non_leaf(torch, device):
    y = _a(torch, device) * 2
    return {"error": observe.error(lambda: y.requires_grad_(False))}


def case_requires_grad_setter_false_on_non_leaf(torch, device):
    y = _a(torch, device) * 2

    def assign():
        y.requires_grad = False

    return {"error": observe.error(assign)}


# --- in-place misuse -------------------------------------------------------------------------

def case_in_place_on_leaf_add(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: a.add_(1))}


def case_in_place_on_leaf_iadd(torch, device):
    a = _a(torch, device)

    def iadd():
        nonlocal a
        a += 1

    return {"error": observe.error(iadd)}


def case_in_place_on_leaf_mul(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: a.mul_(2))}


def case_in_place_on_leaf_zero(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: a.zero_())}


def case_in_place_on_view_of_leaf(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: a[0:2].mul_(2))}


def case_setitem_on_leaf(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: a.__setitem__(0, 5.0))}


def case_modified_saved_output(torch, device):
    a = _a(torch, device)
    y = a.exp()
    y.add_(1)
    return {"error": observe.error(lambda: y.sum().backward())}


def case_modified_saved_input(torch, device):
    a = leaf(torch, device, np.ones((2, 3), dtype="float32"))
    h = a * 1
    out = h ** 2
    h.mul_(2)
    return {"error": observe.error(lambda: out.sum().backward())}


def case_modified_saved_leaf_under_no_grad(torch, device):
    a = _a(torch, device)
    out = a ** 2
    with torch.no_grad():
        a.add_(1)
    return {"error": observe.error(lambda: out.sum().backward())}


def case_modified_saved_output_twice_float64(torch, device):
    a = leaf(torch, device, np.array([0.5, 1.0, 2.0], dtype="float64"))
    y = a.sigmoid()
    y.mul_(1)
    y.mul_(1)
    return {"error": observe.error(lambda: y.sum().backward())}


# --- numpy / item / grad attribute -----------------------------------------------------------

def case_numpy_on_requires_grad(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: a.numpy())}


def case_item_on_many_elements(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: a.item())}


def case_float_on_many_elements(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: float(a))}


def case_assign_grad_wrong_shape(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: setattr(a, "grad", _ones(torch, device, 2)))}


def case_assign_grad_wrong_type(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: setattr(a, "grad", [1.0, 2.0, 3.0]))}


def case_non_leaf_grad_warns(torch, device):
    y = _a(torch, device) * 2
    return {"y.grad": observe.warnings(lambda: y.grad)}


def case_non_leaf_grad_warns_every_time(torch, device):
    y = _a(torch, device) * 2
    return {"three accesses": observe.warnings(lambda: [y.grad for _ in range(3)])}


def case_retain_grad_without_requires_grad(torch, device):
    return {"error": observe.error(lambda: _ones(torch, device, 3).retain_grad())}


def case_tensor_from_tensor_warns(torch, device):
    a = _a(torch, device)
    seen = observe.warnings(lambda: torch.tensor(a))
    return {"warnings": seen.warnings, "requires_grad of the copy": seen.result.requires_grad}


# --- autograd.grad misuse --------------------------------------------------------------------

def case_grad_unused_input(torch, device):
    x = _a(torch, device)
    z = _a(torch, device)
    return {"error": observe.error(lambda: torch.autograd.grad((x * 2).sum(), [x, z]))}


def case_grad_input_without_requires_grad(torch, device):
    x = _a(torch, device)
    return {"error": observe.error(
        lambda: torch.autograd.grad((x * 2).sum(), [x, _ones(torch, device, 3)]))}


def case_grad_of_non_scalar(torch, device):
    x = _a(torch, device)
    return {"error": observe.error(lambda: torch.autograd.grad(x * 2, x))}


def case_grad_materialize_without_allow_unused(torch, device):
    x = _a(torch, device)
    return {"error": observe.error(lambda: torch.autograd.grad(
        (x * 2).sum(), [x], allow_unused=False, materialize_grads=True))}


# --- shapes: broadcasting, matmul, views -----------------------------------------------------

def case_broadcast_mismatch(torch, device):
    return {"error": observe.error(
        lambda: _ones(torch, device, 3) + _ones(torch, device, 4))}


def case_broadcast_mismatch_2d(torch, device):
    return {"error": observe.error(
        lambda: _ones(torch, device, 2, 3) * _ones(torch, device, 3, 2))}


def case_broadcast_mismatch_3d(torch, device):
    return {"error": observe.error(
        lambda: _ones(torch, device, 4, 1, 3) - _ones(torch, device, 2, 4))}


def case_in_place_broadcast_into_smaller(torch, device):
    return {"error": observe.error(
        lambda: _ones(torch, device, 3).add_(_ones(torch, device, 2, 3)))}


def case_mm_shape_mismatch(torch, device):
    return {"error": observe.error(
        lambda: _ones(torch, device, 2, 3) @ _ones(torch, device, 4, 5))}


def case_matmul_1d_sizes_differ(torch, device):
    return {"error": observe.error(lambda: _ones(torch, device, 3) @ _ones(torch, device, 4))}


def case_matmul_2d_1d_mismatch(torch, device):
    return {"error": observe.error(
        lambda: _ones(torch, device, 2, 3) @ _ones(torch, device, 4))}


def case_matmul_1d_2d_mismatch(torch, device):
    return {"error": observe.error(
        lambda: _ones(torch, device, 4) @ _ones(torch, device, 2, 3))}


def case_matmul_batch_mismatch(torch, device):
    return {"error": observe.error(
        lambda: _ones(torch, device, 5, 2, 3) @ _ones(torch, device, 4, 3, 2))}


def case_matmul_0d(torch, device):
    return {"error": observe.error(
        lambda: tensor(torch, device, np.float32(1.0)) @ _ones(torch, device, 3))}


def case_mm_not_a_matrix(torch, device):
    return {"error": observe.error(
        lambda: torch.mm(_ones(torch, device, 3), _ones(torch, device, 3, 2)))}


def case_mv_size_mismatch(torch, device):
    return {"error": observe.error(
        lambda: torch.mv(_ones(torch, device, 2, 3), _ones(torch, device, 4)))}


def case_dot_2d(torch, device):
    return {"error": observe.error(
        lambda: torch.dot(_ones(torch, device, 3), _ones(torch, device, 2, 3)))}


def case_dot_dtype_mismatch(torch, device):
    return {"error": observe.error(lambda: torch.dot(
        _ones(torch, device, 3), _ones(torch, device, 3, dtype="float64")))}


def case_mm_dtype_mismatch(torch, device):
    return {"error": observe.error(
        lambda: _ones(torch, device, 2, 3) @ _ones(torch, device, 3, 2, dtype="float64"))}


def case_view_invalid_size(torch, device):
    return {"error": observe.error(lambda: _ones(torch, device, 2, 3).view(3))}


def case_view_two_inferred(torch, device):
    a = _a(torch, device)
    return {"error": observe.error(lambda: a.view(-1, -1))}


def case_view_non_contiguous(torch, device):
    return {"error": observe.error(lambda: _ones(torch, device, 2, 3).T.view(6))}


def case_reshape_invalid_size(torch, device):
    return {"error": observe.error(lambda: _ones(torch, device, 2, 3).reshape(4))}


def case_cat_size_mismatch(torch, device):
    return {"error": observe.error(
        lambda: torch.cat([_ones(torch, device, 2, 3), _ones(torch, device, 2, 4)]))}


def case_stack_size_mismatch(torch, device):
    return {"error": observe.error(
        lambda: torch.stack([_ones(torch, device, 2), _ones(torch, device, 3)]))}


def case_expand_wrong_size(torch, device):
    return {"error": observe.error(lambda: _ones(torch, device, 2, 3).expand(3, 3))}


def case_sum_dim_out_of_range(torch, device):
    return {"error": observe.error(lambda: _ones(torch, device, 2, 3).sum(2))}


def case_index_out_of_range(torch, device):
    return {"error": observe.error(lambda: _ones(torch, device, 2, 3)[2])}


def case_index_out_of_range_dim1(torch, device):
    return {"error": observe.error(lambda: _ones(torch, device, 2, 3)[:, 3])}


def case_transpose_dim_out_of_range(torch, device):
    return {"error": observe.error(lambda: _ones(torch, device, 2, 3).transpose(0, 2))}


def case_softmax_dim_out_of_range(torch, device):
    return {"error": observe.error(lambda: torch.softmax(_ones(torch, device, 2, 3), 2))}


def case_max_dim_out_of_range(torch, device):
    return {"error": observe.error(lambda: _ones(torch, device, 2, 3).max(dim=2))}


# --- dtypes ----------------------------------------------------------------------------------

def case_mean_of_int(torch, device):
    ints = tensor(torch, device, np.array([1, 2], dtype="int64"))
    return {"error": observe.error(lambda: ints.mean())}


def case_int_negative_power(torch, device):
    ints = tensor(torch, device, np.array([1, 2], dtype="int64"))
    return {"error": observe.error(lambda: ints ** -1)}


def case_int_in_place_add_float(torch, device):
    ints = tensor(torch, device, np.array([1, 2], dtype="int64"))
    return {"error": observe.error(lambda: ints.add_(1.5))}


def case_ragged_nested_list(torch, device):
    return {"error": observe.error(lambda: torch.tensor([[1.0, 2.0], [3.0]], device=device))}


# --- losses ----------------------------------------------------------------------------------

def case_bce_with_logits_target_size(torch, device):
    z = _a(torch, device)
    return {"error": observe.error(lambda: torch.nn.functional.binary_cross_entropy_with_logits(
        z, _ones(torch, device, 2)))}


def case_bce_with_logits_target_extra_dim(torch, device):
    z = _a(torch, device)
    return {"error": observe.error(lambda: torch.nn.functional.binary_cross_entropy_with_logits(
        z, _ones(torch, device, 1, 3)))}


def case_bce_with_logits_int_target(torch, device):
    z = _a(torch, device)
    target = tensor(torch, device, np.array([0, 1, 0], dtype="int64"))
    return {"error": observe.error(
        lambda: torch.nn.functional.binary_cross_entropy_with_logits(z, target))}


def case_bce_with_logits_bad_reduction(torch, device):
    z = _a(torch, device)
    return {"error": observe.error(lambda: torch.nn.functional.binary_cross_entropy_with_logits(
        z, _ones(torch, device, 3), reduction="avg"))}


def case_bce_with_logits_pos_weight_size(torch, device):
    z = _a(torch, device)
    return {"error": observe.error(lambda: torch.nn.functional.binary_cross_entropy_with_logits(
        z, _ones(torch, device, 3), pos_weight=_ones(torch, device, 2)))}


def case_bce_with_logits_weight_size(torch, device):
    z = _a(torch, device)
    return {"error": observe.error(lambda: torch.nn.functional.binary_cross_entropy_with_logits(
        z, _ones(torch, device, 3), weight=_ones(torch, device, 2)))}


def case_bce_target_size(torch, device):
    q = leaf(torch, device, np.array([0.2, 0.5, 0.9], dtype="float32"))
    return {"error": observe.error(
        lambda: torch.nn.functional.binary_cross_entropy(q, _ones(torch, device, 2)))}


def case_mse_loss_size_mismatch_warns(torch, device):
    z = _a(torch, device)
    seen = observe.warnings(
        lambda: torch.nn.functional.mse_loss(z, _ones(torch, device, 3, 1)))
    return {"warnings": seen.warnings, "loss": seen.result}


def case_cross_entropy_batch_mismatch(torch, device):
    x = leaf(torch, device, np.ones((2, 3), dtype="float32"))
    target = tensor(torch, device, np.array([0, 1, 2], dtype="int64"))
    return {"error": observe.error(lambda: torch.nn.functional.cross_entropy(x, target))}


def case_cross_entropy_float_class_target(torch, device):
    x = leaf(torch, device, np.ones((2, 3), dtype="float32"))
    target = tensor(torch, device, np.array([0.0, 1.0], dtype="float32"))
    return {"error": observe.error(lambda: torch.nn.functional.cross_entropy(x, target))}


def case_softmax_without_dim_warns(torch, device):
    a = leaf(torch, device, np.ones((2, 3), dtype="float32"))
    seen = observe.warnings(lambda: torch.nn.functional.softmax(a))
    return {"warnings": seen.warnings, "result": seen.result}


# --- grad mode -------------------------------------------------------------------------------

def case_set_grad_enabled_wrong_type(torch, device):
    return {"error": observe.error(lambda: torch.set_grad_enabled("yes"))}


def case_inference_tensor_saved_for_backward(torch, device):
    a = leaf(torch, device, np.ones(3, dtype="float32"))
    with torch.inference_mode():
        y = a * 2
    return {"error": observe.error(lambda: (y * a).sum().backward())}


def case_inference_tensor_in_place_outside(torch, device):
    with torch.inference_mode():
        y = torch.ones(3, device=device)
    return {"error": observe.error(lambda: y.add_(1))}


def case_view_created_in_no_grad_modified_in_place(torch, device):
    a = leaf(torch, device, np.ones(3, dtype="float32"))
    b = a * 1
    with torch.no_grad():
        v = b[:2]
    return {"error": observe.error(lambda: v.mul_(2))}
