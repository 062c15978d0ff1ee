"""The training loop: learning happens, the loop's bookkeeping is right, callbacks do what they say,
runs are repeatable bit for bit, and a resumed run continues exactly like an uninterrupted one."""

import numpy as np
import pytest

import neuronlab
from neuronlab import nn, optim
from neuronlab.autograd import Function
from neuronlab.data import DataLoader, Standardize, TensorDataset, load_dataset
from neuronlab.nn import functional as F
from neuronlab.train import (
    Callback,
    EarlyStopping,
    GradientClipping,
    LRSchedulerCallback,
    ModelCheckpoint,
    NaNGuard,
    Trainer,
    TrainingDivergedError,
    accuracy,
    fit,
    predict,
)

DIGITS = load_dataset("digits")
X_DIGITS = Standardize().fit(DIGITS.X[:1200]).transform(DIGITS.X).astype(np.float32)


def digits_loaders(seed=0, n_train=600, n_val=300, batch_size=64):
    train = DataLoader(
        TensorDataset(X_DIGITS[:n_train], DIGITS.y[:n_train]),
        batch_size=batch_size,
        shuffle=True,
        generator=np.random.default_rng(seed),
    )
    val = DataLoader(TensorDataset(X_DIGITS[1200 : 1200 + n_val], DIGITS.y[1200 : 1200 + n_val]), batch_size=128)
    return train, val


def digits_model(seed=0, dropout=0.0, batchnorm=False):
    neuronlab.manual_seed(seed)
    layers = [nn.Linear(64, 32)] + ([nn.BatchNorm1d(32)] if batchnorm else []) + [nn.ReLU()]
    layers += [nn.Dropout(dropout)] if dropout else []
    return nn.Sequential(*layers, nn.Linear(32, 10))


def weights(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def assert_same_weights(a, b):
    assert list(a) == list(b)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


class Monitor(Callback):
    """Writes a scripted value of ``key`` into each epoch's logs (callbacks after it see it)."""

    def __init__(self, key, values):
        self.key, self.values = key, values

    def on_epoch_end(self, trainer, epoch, logs):
        logs[self.key] = self.values[epoch - 1]


class Snapshots(Callback):
    """The weights after every epoch (and after every batch when ``batches``)."""

    def __init__(self, batches=False):
        self.epochs, self.batches, self.per_batch = {}, {}, batches

    def on_batch_end(self, trainer, batch, loss):
        if self.per_batch:
            self.batches[batch] = weights(trainer.model)

    def on_epoch_end(self, trainer, epoch, logs):
        self.epochs[epoch] = weights(trainer.model)


# ------------------------------------------------------------------------------------------ learning
def test_loss_decreases_on_xor():
    xor = load_dataset("xor")
    neuronlab.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    loader = DataLoader(TensorDataset(xor.X, xor.y), batch_size=4)
    history = fit(
        model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05), loader, epochs=300, metrics=["accuracy"]
    )
    assert history["train_loss"][0] > 0.5 and history["train_loss"][-1] < 0.02
    assert accuracy(xor.y, predict(model, xor.X)) == 1.0 and history["train_accuracy"][-1] == 1.0


def test_loss_decreases_on_digits():
    train, val = digits_loaders()
    model = digits_model()
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optim.Adam(model.parameters(), lr=1e-2),
        train,
        val,
        epochs=6,
        metrics=["accuracy"],
    )
    losses = history["train_loss"]
    assert all(later < earlier for earlier, later in zip(losses, losses[1:]))
    assert history["val_loss"][-1] < history["val_loss"][0] / 3 and history["val_accuracy"][-1] > 0.9


def test_validation_is_scored_in_inference_mode():
    train, val = digits_loaders()
    model = digits_model(dropout=0.5)
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optim.Adam(model.parameters(), lr=1e-3),
        train,
        val,
        epochs=1,
        metrics=["accuracy"],
    )
    X_val, y_val = val.dataset.arrays
    logits = predict(model, X_val).astype(np.float64)
    log_p = logits - logits.max(1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(1, keepdims=True))
    assert history["val_loss"][0] == pytest.approx(-log_p[np.arange(len(y_val)), y_val].mean(), rel=1e-5)
    assert history["val_accuracy"][0] == np.mean(logits.argmax(1) == y_val)
    assert model.training  # back in training mode after validation


def test_hooks_run_in_order_once_per_iteration():
    class Recorder(Callback):
        def __init__(self):
            self.calls = []

        def on_train_begin(self, trainer):
            self.calls.append("train_begin")

        def on_epoch_begin(self, trainer, epoch):
            self.calls.append(f"epoch_begin {epoch}")

        def on_after_backward(self, trainer, batch, loss):
            assert all(p.grad is not None for p in trainer.model.parameters())
            self.calls.append(f"backward {batch}")

        def on_batch_end(self, trainer, batch, loss):
            self.calls.append(f"batch_end {batch}")

        def on_epoch_end(self, trainer, epoch, logs):
            self.calls.append(f"epoch_end {epoch}")

        def on_train_end(self, trainer):
            self.calls.append("train_end")

    recorder = Recorder()
    model = digits_model()
    loader = DataLoader(TensorDataset(X_DIGITS[:130], DIGITS.y[:130]), batch_size=64)  # ceil(130/64) = 3 iterations
    history = fit(
        model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), loader, epochs=2, callbacks=[recorder]
    )
    per_epoch = lambda e: [
        f"epoch_begin {e}",
        *[c for b in (1, 2, 3) for c in (f"backward {b}", f"batch_end {b}")],
        f"epoch_end {e}",
    ]
    assert recorder.calls == ["train_begin", *per_epoch(1), *per_epoch(2), "train_end"]
    assert history["epoch"] == [1, 2] and history["lr"] == [0.1, 0.1]
    assert set(history.columns) == {"epoch", "train_loss", "lr", "time"}


def test_regularizer_is_part_of_the_objective():
    """Zero data loss + the notes' L2 penalty alpha ||W||^2: one SGD step gives W <- W - lr 2 alpha W."""
    neuronlab.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2, bias=False))
    w0 = model[0].weight.data.copy()
    loader = DataLoader(TensorDataset(np.ones((4, 3), np.float32), np.zeros(4, np.float32)), batch_size=4)
    fit(
        model,
        lambda out, y: out.sum() * 0.0,
        optim.SGD(model.parameters(), lr=0.1),
        loader,
        epochs=1,
        regularizer=lambda m: F.l2_penalty(m, 0.5),
    )
    np.testing.assert_allclose(model[0].weight.data, w0 * (1 - 0.1 * 2 * 0.5), rtol=1e-6)


def test_argument_checks():
    model = digits_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="Callback instances"):
        Trainer(model, nn.CrossEntropyLoss(), opt, callbacks=[print])
    with pytest.raises(ValueError, match="epochs"):
        Trainer(model, nn.CrossEntropyLoss(), opt).fit([], epochs=-1)
    with pytest.raises(ValueError, match=r"\(inputs, targets\) pair"):
        Trainer(model, nn.CrossEntropyLoss(), opt).fit([neuronlab.tensor(X_DIGITS[:4])], epochs=1)


def test_predict_batches_and_restores_the_mode():
    model = digits_model(dropout=0.5)
    model.train()
    whole = predict(model, X_DIGITS[:100], batch_size=1000)
    assert model.training
    np.testing.assert_allclose(
        predict(model, X_DIGITS[:100], batch_size=7), whole, rtol=1e-5, atol=1e-6
    )  # float32: BLAS blocks by batch size
    with neuronlab.no_grad():
        np.testing.assert_array_equal(model.eval()(neuronlab.Tensor(X_DIGITS[:100])).data, whole)


# ------------------------------------------------------------------------------------------ callbacks
def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    snapshots = Snapshots()
    model = digits_model()
    loader, _ = digits_loaders()
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optim.Adam(model.parameters(), lr=1e-3),
        loader,
        epochs=20,
        callbacks=[Monitor("val_loss", [3, 2, 1, 2, 3, 4, 5]), snapshots, EarlyStopping(patience=2)],
    )
    assert len(history) == 5 and history.best_epoch == 3 and history.stopped_early
    assert_same_weights(weights(model), snapshots.epochs[3])
    assert not np.array_equal(model.state_dict()["0.weight"], snapshots.epochs[5]["0.weight"])


def test_early_stopping_maximizes_accuracy_with_min_delta():
    model = digits_model()
    loader, _ = digits_loaders()
    stopper = EarlyStopping("val_accuracy", patience=2, min_delta=0.05, restore_best=False)
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optim.SGD(model.parameters(), lr=0.01),
        loader,
        epochs=20,
        callbacks=[Monitor("val_accuracy", [0.5, 0.6, 0.605, 0.61, 0.9]), stopper],
    )
    assert stopper.mode == "max" and len(history) == 4 and history.best_epoch == 2 and stopper.best == 0.6


def test_early_stopping_on_the_real_validation_loss():
    train, val = digits_loaders()
    model = digits_model()
    trainer = Trainer(
        model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=3e-3), callbacks=[EarlyStopping(patience=3)]
    )
    history = trainer.fit(train, val, epochs=60)
    best = int(np.argmin(history["val_loss"]))
    assert history.best_epoch == best + 1 and history.stopped_early and len(history) == best + 4
    assert trainer.evaluate(val)["loss"] == history["val_loss"][best]


def test_early_stopping_names_a_missing_monitor():
    model = digits_model()
    loader, _ = digits_loaders()
    with pytest.raises(ValueError, match="val_\\* needs validation data"):
        fit(
            model,
            nn.CrossEntropyLoss(),
            optim.SGD(model.parameters(), lr=0.1),
            loader,
            epochs=1,
            callbacks=[EarlyStopping("val_loss")],
        )
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)


def test_scheduler_callback_per_epoch_and_on_plateau():
    model = digits_model()
    loader, _ = digits_loaders()
    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        loader,
        epochs=3,
        callbacks=[LRSchedulerCallback(optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5))],
    )
    assert history["lr"] == [0.1, 0.05, 0.025]
    opt = optim.SGD(model.parameters(), lr=0.1)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        loader,
        epochs=5,
        callbacks=[Monitor("val_loss", [1.0] * 5), LRSchedulerCallback(plateau)],
    )
    assert history["lr"] == [0.1, 0.1, 0.1, 0.05, 0.05]  # reduced once more than `patience` epochs stalled


def test_scheduler_callback_per_batch():
    model = digits_model()
    loader, _ = digits_loaders()  # 10 iterations per epoch
    opt = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        loader,
        epochs=2,
        callbacks=[LRSchedulerCallback(scheduler, interval="batch")],
    )
    assert scheduler.last_epoch == 20 and opt.param_groups[0]["lr"] == pytest.approx(0.1 * 0.9**20)


def test_gradient_clipping_rescales_the_joint_norm():
    class Norms(Callback):
        def __init__(self):
            self.norms, self.grads = [], []

        def on_after_backward(self, trainer, batch, loss):
            grads = [p.grad.data.astype(np.float64).ravel() for p in trainer.model.parameters()]
            self.grads.append(np.concatenate(grads))
            self.norms.append(np.linalg.norm(self.grads[-1]))

    before, after = Norms(), Norms()
    model = digits_model()
    loader, _ = digits_loaders()
    fit(
        model,
        nn.CrossEntropyLoss(),
        optim.SGD(model.parameters(), lr=0.01),
        loader,
        epochs=1,
        callbacks=[before, GradientClipping(max_norm=0.5), after],
    )
    assert max(before.norms) > 0.5 and max(after.norms) <= 0.5 * (1 + 1e-5)
    for g0, g1, n0 in zip(before.grads, after.grads, before.norms):
        np.testing.assert_allclose(g1, g0 * min(1.0, 0.5 / (n0 + 1e-6)), rtol=1e-4, atol=1e-9)


def test_nan_guard_names_epoch_and_batch_before_the_update():
    X = X_DIGITS[:100].copy()
    X[45] = np.nan  # batch 3 of size 20
    loader = DataLoader(TensorDataset(X, DIGITS.y[:100]), batch_size=20)
    model = digits_model()
    snapshots = Snapshots(batches=True)
    with pytest.raises(TrainingDivergedError, match="loss is nan at epoch 1, batch 3"):
        fit(
            model,
            nn.CrossEntropyLoss(),
            optim.SGD(model.parameters(), lr=0.1),
            loader,
            epochs=2,
            callbacks=[NaNGuard(), snapshots],
        )
    assert_same_weights(weights(model), snapshots.batches[2])  # the bad batch did not update the weights


def test_nan_guard_catches_an_infinite_gradient():
    class InfiniteSlope(Function):
        """y = 0, dy/dx = inf: a finite loss with a broken gradient."""

        def forward(self, x):
            self.shape = x.shape
            return np.zeros((), dtype=x.dtype)

        def backward(self, gy):
            return np.full(self.shape, np.inf, dtype=np.float32)

    model = digits_model()
    loader, _ = digits_loaders()
    with pytest.raises(TrainingDivergedError, match="gradient of '0.weight' is not finite at epoch 1, batch 1"):
        with np.errstate(invalid="ignore"):
            fit(
                model,
                lambda out, y: InfiniteSlope.apply(out),
                optim.SGD(model.parameters(), lr=0.1),
                loader,
                epochs=1,
                callbacks=[NaNGuard()],
            )


def test_model_checkpoint_keeps_the_best_epochs(tmp_path):
    model = digits_model()
    loader, _ = digits_loaders()
    snapshots = Snapshots()
    fit(
        model,
        nn.CrossEntropyLoss(),
        optim.Adam(model.parameters()),
        loader,
        epochs=3,
        callbacks=[
            Monitor("val_loss", [3.0, 1.0, 2.0]),
            snapshots,
            ModelCheckpoint(tmp_path / "ckpt-{epoch}.safetensors", save_best_only=True, class_names=list("0123456789")),
        ],
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt-1.safetensors", "ckpt-2.safetensors"]
    ckpt = neuronlab.load(tmp_path / "ckpt-2.safetensors")
    assert ckpt.epoch == 2 and ckpt.class_names == list("0123456789")
    assert_same_weights(ckpt.model.state_dict(), snapshots.epochs[2])


def test_model_checkpoint_every_seconds_skips_epochs_that_end_too_soon(tmp_path):
    loader, _ = digits_loaders()
    for every, saved_epoch in ((3600.0, 1), (0.0, 3)):
        model = digits_model()
        checkpoint = ModelCheckpoint(tmp_path / f"every-{every}.safetensors", every_seconds=every)
        fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()), loader, epochs=3, callbacks=[checkpoint])
        assert neuronlab.load(checkpoint.last_path).epoch == saved_epoch
    with pytest.raises(ValueError, match="every_seconds must be >= 0"):
        ModelCheckpoint(tmp_path / "x.safetensors", every_seconds=-1)


# ------------------------------------------------------------------------------------------ reproducibility
def _full_setup(seed, loader_seed, tmp_path=None):
    """Dropout, BatchNorm, Adam, a step schedule, early stopping and a shuffled loader: every kind of state."""
    model = digits_model(seed, dropout=0.3, batchnorm=True)
    opt = optim.Adam(model.parameters(), lr=2e-3)
    train, val = digits_loaders(loader_seed)
    callbacks = [
        LRSchedulerCallback(optim.lr_scheduler.MultiStepLR(opt, milestones=[3], gamma=0.5)),
        EarlyStopping(patience=50),
    ]
    if tmp_path is not None:
        callbacks.append(ModelCheckpoint(tmp_path / "last.safetensors"))
    trainer = Trainer(
        model,
        nn.CrossEntropyLoss(),
        opt,
        metrics=["accuracy"],
        callbacks=callbacks,
        regularizer=lambda m: F.l1_penalty(m, 1e-4),
    )
    return trainer, train, val


def _without_time(history):
    return [{k: v for k, v in record.items() if k != "time"} for record in history.records]


def test_same_seed_gives_bit_identical_runs():
    runs = []
    for _ in range(2):
        neuronlab.manual_seed(5)
        trainer, train, val = _full_setup(5, 5)
        trainer.fit(train, val, epochs=3)
        runs.append((weights(trainer.model), _without_time(trainer.history)))
    assert_same_weights(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]


def test_resuming_from_a_checkpoint_continues_exactly(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    trainer, train, val = _full_setup(1, 1, tmp_path / "a")
    trainer.fit(train, val, epochs=4)  # uninterrupted
    first, train_b, val_b = _full_setup(1, 1, tmp_path / "b")
    first.fit(train_b, val_b, epochs=2)  # interrupted after 2 epochs
    neuronlab.manual_seed(999)  # disturb every random state
    resumed, fresh_train, fresh_val = _full_setup(999, 12345, tmp_path / "b")
    resumed.load_checkpoint(tmp_path / "b" / "last.safetensors", train_loader=fresh_train)
    assert resumed.epoch == 2
    resumed.fit(fresh_train, fresh_val, epochs=4)
    assert_same_weights(weights(resumed.model), weights(trainer.model))
    assert _without_time(resumed.history) == _without_time(trainer.history)
    for a, b in zip(trainer.model.parameters(), resumed.model.parameters()):
        for name in ("exp_avg", "exp_avg_sq"):
            np.testing.assert_array_equal(trainer.optimizer.state[a][name], resumed.optimizer.state[b][name])
    assert resumed.optimizer.param_groups[0]["lr"] == trainer.optimizer.param_groups[0]["lr"]
