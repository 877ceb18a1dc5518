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
momentum, a learning rate too small or too large, and the error raised when
training diverges. The data are the 8x8 digits of
:func:`~sklearn.datasets.load_digits`, standardised.
"""

# %%
# The data and the default step
# -----------------------------
#
# Standardised features have mean squared norm close to the number of
# features, 64 here (a little less: a few pixels are always blank). The
# default ``learning_rate="auto"`` takes ``1 / mean(||x_i||^2)`` for the
# softmax classifier, a step that suits data of any size; it is stored in
# ``learning_rate_``. Every curve below runs a fixed number of epochs
# (``tol=None``) from the same start and with the same shuffling
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

auto = SoftmaxClassifier(max_iter=1, tol=None).fit(X_train, y_train).learning_rate_
print(f"{len(X_train)} training images; learning_rate='auto' gives {auto:.4f}")

n_epochs = 50


def train(**params):
    """Train a softmax classifier for n_epochs; return it."""
    clf = SoftmaxClassifier(max_iter=n_epochs, tol=None, random_state=0, **params)
    return clf.fit(X_train, y_train)


# %%
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
# minibatches is noise, which a constant step never averages away, and the
# loss of the vectorised matrix products that make a large batch cheap per
# sample: the default, 256, is a compromise.
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
    print(f"learning_rate={factor * auto:8.4f}: objective {clf.loss_curve_[-1]:.3f}, "
          f"test accuracy {clf.score(X_test, y_test):.3f}")
ax.set_xlabel("epoch")
ax.set_ylabel("training objective (loss_curve_)")
ax.set_yscale("log")
ax.set_title("Minibatch SGD (batch_size=32) at five learning rates")
ax.legend(title="learning_rate", loc="center left", bbox_to_anchor=(1, 0.5))
fig.tight_layout()

# %%
# The curves read like the CS231n notes' sketch of learning rates. The
# smallest step is still far from the minimum after 50 epochs. Larger steps
# are faster, and at a hundred times the default the objective is the lowest
# here, at the price of a noisy start. At a thousand times the default the
# steps overshoot: the objective jumps around, high above the others. Yet it
# does not blow up: the softmax's gradient with respect to the scores,
# :math:`p - \mathbb{1}_{y_i}`, is bounded, so a step too large sends the
# weights far in a wrong direction, but not ever farther. The best step
# depends on the problem and on the batch size, so it is worth tuning, for
# instance by a grid search over ``learning_rate`` around the default.
#
# Divergence
# ----------
#
# A loss whose gradient grows with the error is different. The squared hinge
# of :class:`~sklinear.SVMLinearClassifier` (``loss="squared_hinge"``) has a
# gradient proportional to the margin violation: a step that overshoots
# creates a larger violation, hence a larger next step, and the weights grow
# geometrically until the objective overflows. The estimator checks the
# objective of every minibatch and stops with an error that says what to do.
# Training one epoch per call to ``partial_fit`` records the curve up to that
# point (``fit`` raises the same error):
fig, ax = plt.subplots(figsize=(7, 4.5))
for learning_rate in [0.01, 0.2, 0.5]:
    svm = SVMLinearClassifier(loss="squared_hinge", batch_size=32, momentum=0.0,
                              learning_rate=learning_rate, random_state=0)
    try:
        for _ in range(100):
            svm.partial_fit(X_train, y_train, classes=np.unique(y_train))
        outcome = f"{svm.n_iter_} epochs"
    except ValueError as error:
        print(f"learning_rate={learning_rate}: {error}")
        outcome = f"diverged in epoch {len(svm.loss_curve_) + 1}"
    # log10 of the values: a log-scale axis cannot reach 1e300.
    ax.plot(np.arange(1, len(svm.loss_curve_) + 1), np.log10(svm.loss_curve_),
            label=f"learning_rate={learning_rate}: {outcome}")
ax.set_xlabel("epoch")
ax.set_ylabel("log10 of the training objective")
ax.set_title("Squared hinge: a learning rate too large diverges")
ax.legend(loc="center right")
fig.tight_layout()

# %%
# Above a threshold the objective grows by a roughly constant factor per
# epoch (a straight line here), the signature of divergence, until it passes
# the largest double (about :math:`10^{308}`) and training stops with the
# error: in epoch 50 at 0.2, in epoch 8 at 0.5. A smaller
# ``learning_rate`` or standardised features (the error message suggests
# both) fix it; ``learning_rate="auto"`` (here 0.0017 for the SVM, ten times
# less than for the softmax) picks a safe step from the data.
#
# Conclusion
# ----------
#
# The training curve is the first thing to look at: a slow steady decrease
# asks for a larger step, a noisy plateau for a smaller step or larger
# minibatches, and geometric growth (or the divergence error) for a much
# smaller step. Minibatches make many cheap steps per epoch and beat
# full-batch gradient descent per unit of computation; momentum speeds up
# both. The defaults (``batch_size=256``, ``momentum=0.9`` with Nesterov,
# ``learning_rate="auto"``) are a sound start on standardised features.

plt.show()
