"""
==================================================
Learning rate, batch size and momentum of SGD
==================================================

Both classifiers are trained by minibatch stochastic gradient descent (SGD):
each step moves the weights against the gradient of the objective on a
minibatch of ``batch_size`` samples, scaled by ``learning_rate``, and an epoch
is one pass over the training data. This example reads the training curve,
``loss_curve_`` (the objective after each epoch), to show what each setting
does: full-batch gradient descent against minibatches, momentum and Nesterov's
momentum, a learning rate too small or too large, and what happens when
training diverges. The data are the 8x8 digits of
:func:`~sklearn.datasets.load_digits`, standardised.
"""

# %%
# The data and the default step
# -----------------------------
#
# The default ``learning_rate="auto"`` takes the step from the curvature of
# the objective, :math:`\eta = 0.5 / (k L_B + \alpha_2)`: :math:`k = 1/2`
# bounds the softmax's curvature in the scores, :math:`\alpha_2` is the L2
# penalty, and :math:`L_B` is the curvature of the data as minibatches of
# ``batch_size`` samples see it, between the largest eigenvalue of the second
# moment of the samples (full batches) and their mean squared norm (single
# samples). The step is stored in ``learning_rate_``. Every curve below runs a
# fixed number of epochs (``tol=None``, which also keeps the step constant:
# the default ``"adaptive"`` schedule shortens it only when the stopping rule
# sees progress stall) from the same start and with the same shuffling
# (``random_state=0``), so that the curves differ only by the setting studied.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklinear import SoftmaxClassifier, SVMLinearClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

largest_eigenvalue = np.linalg.eigvalsh(X_train.T @ X_train / len(X_train))[-1]
mean_squared_norm = np.mean(np.sum(X_train**2, axis=1))
auto = SoftmaxClassifier(max_iter=1, tol=None).fit(X_train, y_train).learning_rate_
print(f"{len(X_train)} training images; second moment: largest eigenvalue "
      f"{largest_eigenvalue:.1f}, mean squared norm {mean_squared_norm:.1f}; "
      f"learning_rate='auto' gives {auto:.3g}")

n_epochs = 50


def train(**params):
    """Train a softmax classifier for n_epochs; return it."""
    clf = SoftmaxClassifier(max_iter=n_epochs, tol=None, random_state=0, **params)
    return clf.fit(X_train, y_train)


# %%
# The pixels of the digits are correlated: the largest eigenvalue of their
# second moment, 7.4, is an eighth of the mean squared norm, 60 (its trace:
# 64 features, a few of them always blank), where uncorrelated standardised
# features would give about 1. Minibatches of 256 (the default) see a
# curvature a little above the largest eigenvalue of the samples it is
# estimated on (512 of the 1,347, whose largest eigenvalue is 7.2), about
# 7.4, and the step is :math:`0.5 / (0.5 \times 7.4) \approx 0.135` (rounded
# to 3 significant digits).
#
# Full batch against minibatches
# ------------------------------
#
# With ``batch_size=None`` every step uses the whole training set: this is
# plain gradient descent, one step per epoch along the exact gradient. A
# minibatch of :math:`m` samples gives a noisy but unbiased estimate of the
# same gradient at :math:`m / n` of the cost, so an epoch makes :math:`n / m`
# steps for the price of one full-batch step. Momentum is off here, and every
# run uses the default step.
batch_sizes = [None, 256, 32, 4]
by_batch = {size: train(batch_size=size, momentum=0.0, learning_rate=auto)
            for size in batch_sizes}

fig, (ax_epochs, ax_steps) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for size, clf in by_batch.items():
    label = "full batch (gradient descent)" if size is None else f"batch_size={size}"
    steps_per_epoch = 1 if size is None else int(np.ceil(len(X_train) / size))
    epochs = np.arange(1, clf.n_iter_ + 1)
    ax_epochs.plot(epochs, clf.loss_curve_, label=label)
    ax_steps.plot(epochs * steps_per_epoch, clf.loss_curve_, label=label)
ax_epochs.set_xlabel("epoch (passes over the training data)")
ax_epochs.set_ylabel("training objective (loss_curve_)")
ax_epochs.set_title("Per epoch: the same computation")
ax_steps.set_xscale("log")
ax_steps.set_xlabel("number of steps (log scale)")
ax_steps.set_title("Per step: the same learning rate")
ax_epochs.set_yscale("log")
ax_epochs.legend()
fig.tight_layout()

for size, clf in by_batch.items():
    print(f"batch_size={size!s:4}: objective {clf.loss_curve_[-1]:.3f}, "
          f"test accuracy {clf.score(X_test, y_test):.3f}")

# %%
# Per epoch (left), small minibatches win by far: in 50 epochs full-batch
# gradient descent makes 50 steps, minibatches of 4 make almost 17,000. Per
# step (right), the curves nearly line up: a minibatch step is about as good
# as a full-batch one, for a fraction of its cost. (For minibatches,
# ``loss_curve_`` averages the minibatch losses seen during the epoch, so each
# point lags a little behind the weights at the epoch's end; this is why the
# first point of each minibatch curve sits high.) The price of small
# minibatches is noise, which a constant step, as here, never averages away
# (the default ``"adaptive"`` schedule settles it by shortening the step when
# progress stalls), and the loss of the vectorised matrix products that make a
# large batch cheap per sample: the default, 256, is a compromise.
#
# Momentum
# --------
#
# Momentum accumulates a velocity, :math:`v \leftarrow \mu v - \eta \nabla J`,
# and moves the weights by it, :math:`W \leftarrow W + v`: along directions
# where the gradient keeps its sign the steps add up (up to :math:`1 / (1 -
# \mu)` times longer, 10 times for the default :math:`\mu = 0.9`), while
# directions where it flips cancel out. Nesterov's momentum evaluates the step
# at the point the velocity is about to reach, which corrects overshoots
# sooner. Here with full batches, where the effect is cleanest:
by_momentum = {
    "no momentum": train(batch_size=None, momentum=0.0, learning_rate=auto),
    "momentum 0.9": train(batch_size=None, momentum=0.9, nesterovs_momentum=False,
                          learning_rate=auto),
    "Nesterov's momentum 0.9": train(batch_size=None, momentum=0.9,
                                     nesterovs_momentum=True, learning_rate=auto),
}
fig, ax = plt.subplots(figsize=(6, 4))
for label, clf in by_momentum.items():
    ax.plot(np.arange(1, clf.n_iter_ + 1), clf.loss_curve_, label=label)
ax.set_xlabel("epoch (one full-batch step each)")
ax.set_ylabel("training objective (loss_curve_)")
ax.set_yscale("log")
ax.set_title("Full-batch gradient descent with momentum")
ax.legend()
fig.tight_layout()

# %%
# Momentum makes gradient descent several times faster for the same step;
# Nesterov's version is a little faster still in the first epochs. Both are
# on by default (``momentum=0.9, nesterovs_momentum=True``).
#
# The learning rate
# -----------------
#
# The step size matters most. Too small, and training crawls; larger, and it
# is faster until the minibatch noise, which a step scales, dominates; much
# larger, and each step overshoots. Minibatches of 32 without momentum, with
# steps from a tenth of the default to a thousand times it:
factors = [0.1, 1, 10, 100, 1000]
fig, ax = plt.subplots(figsize=(8, 4.5))
for factor in factors:
    clf = train(batch_size=32, momentum=0.0, learning_rate=factor * auto)
    ax.plot(np.arange(1, clf.n_iter_ + 1), clf.loss_curve_,
            label=f"{factor} x auto = {factor * auto:.3g}")
    print(f"learning_rate={factor * auto:7.3g}: objective {clf.loss_curve_[0]:6.3f} "
          f"after 1 epoch, {clf.loss_curve_[-1]:.3f} after {n_epochs}; n_backoffs_="
          f"{clf.n_backoffs_}; test accuracy {clf.score(X_test, y_test):.3f}")
ax.set_xlabel("epoch")
ax.set_ylabel("training objective (loss_curve_)")
ax.set_yscale("log")
ax.set_title("Minibatch SGD (batch_size=32) at five learning rates")
ax.legend(title="learning_rate", loc="center left", bbox_to_anchor=(1, 0.5))
fig.tight_layout()

# %%
# The curves read like the CS231n notes' sketch of learning rates. The
# smallest step is still far from the minimum after 50 epochs. Ten times the
# default gives the lowest objective here: "auto" is a quarter of the
# longest step the curvature allows, sized for the default momentum of 0.9,
# which makes the steps up to ten times longer, and without momentum a longer
# step pays. At a hundred times the default the steps overshoot: the
# objective jumps around, high above the others, and never settles. At a
# thousand times, the first epoch ends with an objective of 38, more than
# twice its value at zero weights (:math:`\ln 10 \approx 2.3`): training
# counts such an epoch as *diverged*, goes back to the best weights it has
# (here those it started from) and goes on with a step 5 times shorter. The
# second epoch diverges too, and from the third on training runs at 40 times
# the default (``n_backoffs_`` counts the returns, 2), which ends lower than
# the step of a hundred times that never diverged. The softmax's gradient with
# respect to the scores, :math:`p - \mathbb{1}_{y_i}`, is bounded, so a step
# too large sends the weights far in a wrong direction, but not ever farther.
# The best step depends on the problem, on the batch size and on the
# momentum, so it is worth tuning, for instance by a grid search over
# multiples of the default (the example
# :ref:`sphx_glr_auto_examples_classifiers_plot_grid_search.py` does).
#
# Divergence
# ----------
#
# A loss whose gradient grows with the error is different. The squared hinge
# of :class:`~sklinear.SVMLinearClassifier` (``loss="squared_hinge"``) has a
# gradient proportional to the margin violation: a step that overshoots
# creates a larger violation, hence a larger next step, and the weights grow
# geometrically, up to an overflow. An epoch whose objective ends above twice
# the larger of its best value and its value at zero weights (9 here: a
# margin of 1 violated by each of the 9 wrong classes), or is not finite, has
# diverged: as above, training goes back to its best weights, drops the
# momentum, and goes on with a step 5 times shorter. After 5 such returns,
# or when every epoch of a call diverged, ``fit`` raises a ValueError that says
# what to do, and the estimator keeps its previous fit. The steps of
# ``"auto"`` for minibatches of 32, and the squared hinge trained with three
# steps far longer, then one longer still:
svm_auto = SVMLinearClassifier(loss="squared_hinge", batch_size=32, max_iter=1,
                               tol=None).fit(X_train, y_train).learning_rate_
softmax_auto = SoftmaxClassifier(batch_size=32, max_iter=1,
                                 tol=None).fit(X_train, y_train).learning_rate_
print(f"learning_rate='auto' for minibatches of 32: {svm_auto:.3g} for the "
      f"squared hinge, {softmax_auto:.3g} for the softmax")
fig, (ax_all, ax_zoom) = plt.subplots(1, 2, figsize=(11, 4.2))
for learning_rate in [0.01, 0.2, 1.0]:
    svm = SVMLinearClassifier(loss="squared_hinge", batch_size=32, momentum=0.0,
                              learning_rate=learning_rate, max_iter=n_epochs,
                              tol=None, random_state=0).fit(X_train, y_train)
    final_step = learning_rate / 5**svm.n_backoffs_
    first = np.array2string(np.array(svm.loss_curve_[:4]), precision=3)
    print(f"learning_rate={learning_rate}: n_backoffs_={svm.n_backoffs_}, "
          f"first objectives {first}, final step {final_step:.3g}, "
          f"final objective {svm.loss_curve_[-1]:.3f}")
    for ax in (ax_all, ax_zoom):
        ax.plot(np.arange(1, svm.n_iter_ + 1), svm.loss_curve_, ".-",
                label=f"learning_rate={learning_rate}: {svm.n_backoffs_} back-offs")
for ax in (ax_all, ax_zoom):
    ax.axhline(2 * 9, color="grey", linestyle=":",
               label="twice the objective at zero weights")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
ax_all.set_ylabel("training objective (loss_curve_)")
ax_all.set_title("Too long a step diverges...")
ax_zoom.set_ylim(0.02, 200)
ax_zoom.set_title("...and training backs off to a shorter one")
ax_zoom.legend(loc="upper right", fontsize="small")
fig.tight_layout()

try:
    SVMLinearClassifier(loss="squared_hinge", batch_size=32, momentum=0.0,
                        learning_rate=1000.0, max_iter=n_epochs, tol=None,
                        random_state=0).fit(X_train, y_train)
except ValueError as error:
    print(f"learning_rate=1000: {error}")

# %%
# Each diverging epoch shows as a spike above the dotted line, and the next
# epoch starts again from the best weights with a shorter step. At 0.01,
# 3.5 times the squared hinge's ``"auto"`` step, nothing diverges. At 0.2 the
# first epoch's objective reaches :math:`7 \times 10^{7}`, the fourth's 127:
# two returns bring the step to 0.008, at which training goes on to an
# objective of 0.042, close to the 0.038 of the step that never diverged. At
# 1, the first epoch's objective reaches :math:`10^{76}`, and three returns
# bring the step to the same 0.008. A step of 1000 is beyond help: five
# returns bring it only to 0.32, still far too long, and ``fit`` raises. A
# smaller ``learning_rate`` or standardised features (the error message
# suggests both) fix it; ``learning_rate="auto"`` takes the step from the
# curvature of the problem, 40 times shorter for the squared hinge of 10
# classes (:math:`k = 2K = 20`) than for the softmax (:math:`k = 1/2`).
#
# Conclusion
# ----------
#
# The training curve is the first thing to look at: a slow steady decrease
# asks for a larger step, a noisy plateau for a smaller step or larger
# minibatches, and spikes that send training back (``n_backoffs_`` above 0),
# or the divergence error, for a much smaller step. Minibatches make many
# cheap steps per epoch and beat full-batch gradient descent per unit of
# computation; momentum speeds up both. The defaults (``batch_size=256``,
# ``momentum=0.9`` with Nesterov, ``learning_rate="auto"`` with the
# ``"adaptive"`` schedule) are a sound start on standardised features.

plt.show()
