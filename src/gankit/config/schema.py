"""The run configuration: a tree of typed dataclasses that round-trips to YAML and is validated early.

Fields left None (or 0 / `auto` where the doc says so) are filled by `gankit.algorithms.resolve`, which
says which layer each value came from; the saved config.yaml of a run holds the resolved values.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from gankit.config.parsing import build_section, new_key, renamed, typed_value, validate
from gankit.errors import ConfigError


@dataclass
class DataConfig:
    name: str = "ring8"
    """Dataset name from `gankit data list`, `folder:PATH` for a folder of images, or `points:FILE.csv` for 2D
    points, one `x,y` line each."""
    split: Literal["train", "test"] = "train"
    """Which split to train on (toy 2D data has one distribution; the split only changes its seed)."""
    image_size: int | None = None
    """Resize + center-crop images to this side; None keeps the dataset's native size (folders: 64)."""
    channels: int | None = None
    """1 (grayscale) or 3 (RGB); None keeps the dataset's native channels (folders: 3)."""
    num_points: int = 100_000
    """Size of a generated 2D dataset."""
    root: str | None = None
    """Cache folder for downloads and features; None means ~/.cache/gankit (the CLI and `gankit.train` fill
    in $GANKIT_CACHE when it is set)."""


@dataclass
class ModelConfig:
    algorithm: str = "gan"
    """The lecture's view: `gan` (generator + discriminator), `ae`/`vae` (generator alone, with an encoder)
    or `ebm` (discriminator alone: an energy model sampled by Langevin dynamics)."""
    net: str = "auto"
    """Network family: `mlp` (2D), `dcgan`, `resnet` (SNGAN-style), `r3gan` (normalisation-free residual; images)
    or `auto` to pick by the data (resolved to the name)."""
    latent_dim: int = 0
    """Size of z; 0 picks the net family's default (mlp 2, dcgan 100), which the resolved config records."""
    width: int = 0
    """Hidden units (mlp) or base channels (dcgan); 0 picks the family's default (mlp 128, dcgan 64)."""
    depth: int = 4
    """Hidden layers of the MLP pair (ignored by dcgan, whose depth follows the resolution)."""
    d_width: int = 0
    """D's own hidden units (mlp) or base channels (the convolutional families); 0: as `width`. An auto-encoder's
    encoder is D's trunk, so it follows this too."""
    d_depth: int = 0
    """D's own hidden layers (mlp; 0: as `depth`), or for dcgan the stride-1 3×3 convolutions added after its
    last stride-2 one (0: none), each widening what one of D's features sees by 2·2^k pixels (k: its stride-2
    layers), so that an energy model's score can relate distant parts of the image; resnet and r3gan refuse it."""
    conditional: bool = False
    """Condition G and D on class labels (needs a labelled dataset); G gets a learned label embedding."""
    d_condition: Literal["projection", "acgan"] = "projection"
    """How a conditional D uses labels: projection head (Miyato & Koyama 2018) or AC-GAN's classifier."""
    d_norm: Literal["batch", "instance", "none"] | None = None
    """Normalisation inside the convolutional D: `batch` (DCGAN), `instance` (per image, so it works with a
    per-sample gradient penalty, as WGAN-GP critics often use) or `none`; None: the objective's default."""
    minibatch_std: bool | None = None
    """Give D the batch's feature standard deviation as one more feature (Karras et al. 2018), a cue
    against mode collapse; None: on for 2D data (mlp), off for images."""
    spectral_norm: bool | None = None
    """Spectral normalisation of every D layer (Miyato et al. 2018); None: the objective's default."""
    pack: int = 1
    """PacGAN (Lin et al. 2018): D judges this many samples at once, stacked along channels (2D: features),
    which makes a generator that repeats itself easy to catch; 1 = off. The batch size must divide by it."""
    g_ema: float | None = None
    """Decay of an exponential moving average of G's weights, used for sampling; 0 = off (try 0.999);
    None: 0.999 on 2D data (mlp), off for images."""
    recipe: Literal["none", "modern"] = "none"
    """A named set of defaults over several sections: `modern` is, for a GAN, R3GAN's (Huang et al. 2024):
    rpgan, R1 + R2 with a decaying gamma, the r3gan nets on images, DiffAugment, G's EMA, Adam (0, 0.99); for
    `rae` on images, the RAE paper's (a wider DCGAN pair, a 32-number code, a decaying rate); scaled to the
    run's steps; every field it fills is shown by --dry-run, and fields you set win."""


@dataclass
class ObjectiveConfig:
    name: str = "ns"
    """GAN objective; `gankit objectives` lists them with their paper defaults (`ns` = non-saturating)."""
    penalty: Literal["none", "gp", "dragan", "r1", "r2", "r1+r2"] | None = None
    """Gradient penalty on D: WGAN-GP's, DRAGAN's, R1 on real data, R2 on generated data, or R1 and R2
    together (R3GAN); None: the objective's default."""
    penalty_weight: float | None = None
    """The penalty's weight (lambda, or R1's gamma); None: the objective's default (10)."""
    gamma_r1: float | None = None
    """R1's own gamma when R1 is active; None: penalty_weight."""
    gamma_r2: float | None = None
    """R2's own gamma when R2 is active; None: penalty_weight."""
    penalty_final: float | None = None
    """The fraction of their weights the penalties decay to, by a half cosine over `penalty_decay_steps`
    iterations (R3GAN: 0.1); 1 = constant weights; None: 1, or the recipe's."""
    penalty_decay_steps: int | None = None
    """Iterations of the penalty-weight decay, after which it holds `penalty_final`; 0 = no decay;
    None: 0, or the recipe's (the run's steps)."""
    penalty_every: int = 1
    """Lazy regularisation (StyleGAN2): the penalty in its own D update every N iterations, its weight times N
    times gan.d_steps (the D updates it stands for); 1: in every D update's loss."""
    clip: float | None = None
    """Clip D's weights to [-clip, clip] after each update (WGAN); 0 = off; None: the objective's default."""
    aux_weight: float = 1.0
    """Weight of AC-GAN's classification loss (model.d_condition=acgan)."""
    began_gamma: float = 0.5
    """BEGAN's diversity ratio gamma = E[L(G(z))] / E[L(x)] that the k update holds (Berthelot et al. 2017)."""
    began_k_lr: float = 0.001
    """BEGAN's learning rate lambda_k for the equilibrium term k."""


@dataclass
class OptimConfig:
    name: Literal["adam", "rmsprop", "sgd"] | None = None
    """Optimizer for both networks; None: the objective's default (adam; rmsprop for wgan, as its paper); `sgd` is
    plain gradient descent (no momentum), GAN Lab's other choice."""
    lr_g: float | None = None
    """Generator learning rate; None: the objective's paper value on images, 1e-3 on 2D data."""
    lr_d: float | None = None
    """Discriminator learning rate; None: as lr_g."""
    beta1: float | None = None
    """Adam beta1; None: the objective's default (0.5 as DCGAN; 0 for wgan-gp)."""
    beta2: float | None = None
    """Adam beta2; None: the objective's default (0.999; 0.9 for wgan-gp and dragan)."""
    lr_final: float | None = None
    """The fraction of both learning rates they decay to, by a half cosine over `decay_steps` iterations
    (R3GAN: 2e-4 -> 5e-5, 0.25); None: 1 (constant), or the recipe's."""
    beta2_start: float | None = None
    """Adam beta2 at step 0, moving to `beta2` by a half cosine over `decay_steps` (R3GAN: 0.9 -> 0.99);
    None: `beta2` throughout, or the recipe's."""
    decay_steps: int | None = None
    """Iterations of the lr and beta2 schedules, after which they hold their end values; 0 = none;
    None: 0, or the recipe's (the run's steps)."""


@dataclass
class TrainConfig:
    steps: int = 3000
    """Training iterations (a GAN's: D `gan.d_steps` times, then G `gan.g_steps` times)."""
    batch_size: int | None = None
    """Real (and fake) examples per update; None: the network family's default (dcgan 64, mlp 512)."""
    seed: int = 0
    """Seeds initialisation, batches and noise: same seed, same run."""
    device: str = "auto"
    """`auto` (CUDA when available), `cpu`, `cuda` or `cuda:N`."""
    precision: Literal["fp32", "bf16", "fp16", "auto"] = "fp32"
    """Numbers in the training step: fp32, or autocast to bf16 (CPU and CUDA) or fp16 (CUDA, loss-scaled);
    `auto`: bf16 on a GPU, and on a CPU where a short measurement finds bf16 faster (the pick goes into run.json
    and the checkpoints; the config keeps `auto`)."""
    threads: int | Literal["auto"] = "auto"
    """CPU threads for torch's operations: `auto` times a few real steps of this run at each count the CPU
    affinity allows (under the machine's load as it is) and keeps the fastest, recorded as chosen; an integer
    fixes it. $OMP_NUM_THREADS, when set, is taken instead of `auto`."""
    channels_last: bool = False
    """Convolutional networks in channels-last memory layout (faster convolutions on most CPUs and GPUs)."""
    compile: bool = False
    """torch.compile the networks (the first steps are slow while it compiles); not with a gradient penalty,
    whose second derivative torch.compile does not support: then training runs uncompiled, with a notice."""
    out: str | None = None
    """Run folder; None makes runs/<data>-<model>-<objective>-<time>."""
    log_every: int = 50
    """Steps between metric lines (JSONL, TensorBoard, progress bar)."""
    sample_every: int = 500
    """Steps between sample pictures from a fixed z."""
    checkpoint_every: int = 1000
    """Steps between checkpoints (one is always written at the end and on Ctrl-C)."""
    progress_steps: list[int] = field(default_factory=lambda: [100, 1000, 5000, 10000, 50000, 100000])
    """Updates of the network that makes samples (GAN, AE/VAE: the generator; EBM: the discriminator) after
    which a row is added to the progress strip (plus the final one)."""
    landscape_every: int | None = None
    """Steps between saved frames of D's landscape over 2D data (`landscape/step-*.png`, made into `landscape.gif`
    at the end); 0 = none (the live page draws its own); None: every `log_every` steps."""
    eval_every: int = 0
    """Steps between image metrics (FID, KID, precision/recall, …) in classifier features; 0 = off.
    The best-FID checkpoint is kept as `best`."""
    eval_samples: int = 2000
    """Real and generated images per evaluation during training (`gankit eval` defaults to 10 000)."""
    max_recoveries: int = 3
    """Times a NaN/inf may roll the run back to its last good checkpoint before training stops."""
    time_limit: float = 0.0
    """Minutes of training after which the run ends as a finished one (checkpoint, end-of-training fit, end
    pictures) even short of `steps`; 0 = no limit. Schedules still follow `steps`; a resumed run starts a new limit."""


@dataclass
class GANConfig:
    d_steps: int | None = None
    """Discriminator updates per iteration (G fixed); None: the objective's default (1; 5 for wgan, wgan-gp)."""
    g_steps: int = 1
    """Generator updates per iteration (D fixed)."""
    order: Literal["d_first", "g_first"] = "d_first"
    """Which network is updated first in an iteration (the lecture: D first)."""


@dataclass
class AugmentConfig:
    policy: str | None = None
    """DiffAugment (Zhao et al. 2020) on every image D sees, real and generated: `none`, or a comma list of
    `color`, `translation`, `cutout` (images only); None: none, or the recipe's."""
    probability: float = 1.0
    """Chance that each listed augmentation is applied to a sample (DiffAugment: 1); with ada_target, the
    starting value that the adaptive rule then moves."""
    ada_target: float = 0.0
    """ADA (Karras et al. 2020): move the probability so that E[sign(D(x))] on real data holds this value
    (their 0.6); 0 = a fixed probability."""
    ada_images: int = 500_000
    """ADA's speed: images shown to D for the probability to move from 0 to 1 (their 500k)."""


@dataclass
class VAEConfig:
    beta: float = 1.0
    """Weight of the KL term (beta-VAE; 1 is the ELBO)."""
    reconstruction: Literal["bernoulli", "gaussian", "optimal-sigma"] | None = None
    """Reconstruction loss: per-pixel cross-entropy (Bernoulli, pixels as probabilities), Gaussian with std
    `gaussian_std`, or Gaussian with the one std that fits the batch best, σ² = its mean squared error (σ-VAE,
    Rybkin et al. 2021: the decoder's variance learned, as the 2-Stage VAE's γ); None: bernoulli for images,
    gaussian for 2D points. `ae` uses it too."""
    gaussian_std: float = 0.1
    """Std of the Gaussian likelihood (model range: images [-1, 1])."""
    latent_density: Literal["prior", "gaussian", "gmm", "two-stage"] | None = None
    """What samples are drawn from: the prior N(0, I), a Gaussian fitted to the codes as they train, or, fitted
    to the training codes when training ends (the Gaussian stands in before), a Gaussian mixture (Ghosh et al.
    2020) or a second, small VAE (`two-stage`, Dai & Wipf 2019); None: the algorithm's (vae: prior,
    ae: gaussian, rae: gmm)."""
    density_components: int = 10
    """Components of the `gmm` latent density (Ghosh et al. 2020: 10)."""
    density_examples: int | None = None
    """Training examples whose codes the `gmm` density is fitted to; None: 10 000, the image recipe's 60 000."""
    density_width: int = 512
    """two-stage: hidden units of the second VAE's two layers (Dai & Wipf: 1 024)."""
    density_steps: int = 5000
    """two-stage: Adam steps (batches of 256 codes) that train the second VAE when training ends."""
    code_penalty: float = 1e-4
    """rae: beta, the weight of ½‖z‖² per example, which keeps the codes near the origin."""
    decoder_penalty: float = 1e-7
    """rae: lambda, the weight of the decoder's regularisation (`decoder_regulariser`)."""
    decoder_regulariser: Literal["l2", "gp"] = "l2"
    """rae: the decoder's squared weights (RAE-L2) or the squared gradient of its output w.r.t. the code
    (RAE-GP)."""


@dataclass
class EBMConfig:
    langevin_steps: int | None = None
    """Langevin steps per negative batch during training (drl: per level); None: 20 for images (JEM), 50 for 2D
    points, drl 30."""
    step_size: float | None = None
    """x <- x + step_size * grad_x D(x) + noise * N(0, I); None: 1 for images (JEM), 0.05 for 2D. drl: the scale
    b² of each level's step, s² = b² σ² (Gao et al. 2021: 2e-4)."""
    noise: float | None = None
    """Langevin noise std; None: 0.01 for images, 0.005 for 2D. drl: a factor on each step's own noise (1)."""
    buffer_size: int = 10_000
    """Replay buffer of earlier negatives (IGEBM/JEM); 0 = every chain starts from noise."""
    restart: float = 0.05
    """Fraction of chains restarted from uniform noise each update."""
    energy_penalty: float = 0.1
    """alpha in alpha * E[D(x+)^2 + D(x-)^2]: keeps the energies bounded (IGEBM)."""
    sample_steps: int | None = None
    """Langevin steps when sampling a trained model (drl: per level); None: langevin_steps."""
    sample_from_noise: bool = False
    """ebm: start the sampling chains from uniform noise, where otherwise they continue the replay buffer's
    chains (IGEBM/JEM), so that its samples cost what they show; `gankit eval RUN --sampler
    ebm.sample_from_noise=true` scores a trained run so (drl always starts from N(0, I))."""
    levels: int | None = None
    """drl: noise levels of the ladder (Gao et al. 2021: 6); each level's energy is sampled from the noisier one,
    so sampling takes levels × sample_steps gradient steps in all (at most 200)."""
    chain_step_size: float | None = None
    """drl: b² of the Langevin chains (training's negatives and sampling) when it differs from step_size, which
    then only sets the energy's scale f/s²; a chain on an energy trained by score matching needs steps that
    cover its level's noise (about 3e-3), where the paper's short chains (2e-4) barely move. None: step_size."""
    sample_chain_step_size: float | None = None
    """drl: b² of the sampling chains alone, when it differs from the training chains' (`chain_step_size`), to
    sweep per trained energy (`gankit eval RUN --sampler ebm.sample_chain_step_size=B`; docs/views.md: 1e-3
    helped one energy trained at 3e-3 and hurt another). None: as training's."""
    denoise_jump: bool = False
    """drl: start each level's chain, below the top, at the denoised noisier sample, x̃ + σ²·∇ log p(x̃) with the
    noisier level's energy (Tweedie's formula: one gradient step of D, counted among the level's steps), where
    the paper starts it at x̃ itself; short chains then only refine, as a diffusion sampler's corrector."""
    ladder_span: Literal["half", "full"] = "half"
    """drl: where the levels sit on DDPM's 1 000-step schedule: `half`, evenly over its first half and then one
    jump to its end (Gao et al. 2021; the top level still holds a quarter of the data's signal, sampled from
    noise by its energy alone), or `full`, evenly over all of it (the top level is almost pure noise, and each
    level undoes as much noise as the next)."""
    score_matching: float = 0.0
    """drl: weight of a denoising score-matching term on each level's energy (the gradient of f/s² matched to
    the score of the data's noise at that level; Vincent 2011, energy form as Salimans & Ho 2021); 0 = the
    paper's loss alone."""
    energy_ema: float = 0.0
    """Decay of an exponential moving average of the energy's weights, which samples (training's negatives still
    come from D itself); 0 = off. Gao et al. 2021 sample with one at 0.999."""
    level_bias: bool = False
    """drl: give every layer of the energy (the dcgan net) a learned bias per level, as the paper's time
    embedding does in each block, where otherwise the level reaches only the projection head and all levels share
    one trunk."""


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    objective: ObjectiveConfig = field(default_factory=ObjectiveConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    gan: GANConfig = field(default_factory=GANConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    vae: VAEConfig = field(default_factory=VAEConfig)
    ebm: EBMConfig = field(default_factory=EBMConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Config:
        config = build_section(cls, renamed(values), prefix="")
        validate(config)
        return config

    @classmethod
    def from_yaml(cls, path: str | Path) -> Config:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        try:
            values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as err:
            raise ConfigError(f"config file {path} is not valid YAML: {str(err).splitlines()[0]}") from None
        except UnicodeDecodeError as err:
            raise ConfigError(f"config file {path} is not UTF-8 text (byte {err.start + 1})") from None
        except RecursionError:
            raise ConfigError(f"config file {path} is nested too deeply") from None
        if not isinstance(values, dict):
            raise ConfigError(f"config file {path} must hold a mapping of sections (data, model, ...)")
        return cls.from_dict(values)

    def override(self, assignments: dict[str, Any]) -> Config:
        """A copy with dotted keys (`train.steps`) replaced. A string is read for the field's type: taken as it
        is for a text field (names, paths, devices), as a YAML scalar for the others (`1e-3`, `true`)."""
        values = self.to_dict()
        sections = typing.get_type_hints(Config)
        for key, value in assignments.items():
            section, _, name = new_key(key).partition(".")
            if section not in values or not name:
                raise ConfigError(f"unknown config key {key!r}; keys look like train.steps or data.name")
            fields = typing.get_type_hints(sections[section])
            if name not in fields:
                raise ConfigError(f"unknown field {section}.{name}; valid: {', '.join(sorted(fields))}")
            if isinstance(value, str):
                value = typed_value(value, fields[name], f"{section}.{name}")
            values[section][name] = value
        return Config.from_dict(values)
