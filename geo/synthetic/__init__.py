"""The deterministic synthetic LA sample (DATA.md section 5), labelled synthetic everywhere."""
from geo.records import Sample
from geo.synthetic.parcels import generate_parcels
from geo.synthetic.randomness import GEN_VERSION, SEED
from geo.synthetic.real import real_shaped_layers
from geo.synthetic.sample import generate_sample

__all__ = ["GEN_VERSION", "SEED", "Sample", "generate_parcels", "generate_sample", "real_shaped_layers"]
