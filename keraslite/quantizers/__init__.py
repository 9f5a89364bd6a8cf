"""`keras.quantizers` (re-exports)."""

from keraslite.quantizers.calibration_configs import AWQConfig as AWQConfig
from keraslite.quantizers.calibration_configs import GPTQConfig as GPTQConfig
from keraslite.quantizers.fake_quant import fake_quant_with_min_max_vars as fake_quant_with_min_max_vars
from keraslite.quantizers.float8 import compute_float8_amax_history as compute_float8_amax_history
from keraslite.quantizers.float8 import compute_float8_scale as compute_float8_scale
from keraslite.quantizers.float8 import quantize_and_dequantize as quantize_and_dequantize
from keraslite.quantizers.lookup import deserialize as deserialize
from keraslite.quantizers.lookup import get as get
from keraslite.quantizers.lookup import serialize as serialize
from keraslite.quantizers.quantization_config import Float8QuantizationConfig as Float8QuantizationConfig
from keraslite.quantizers.quantization_config import Int4QuantizationConfig as Int4QuantizationConfig
from keraslite.quantizers.quantization_config import Int8QuantizationConfig as Int8QuantizationConfig
from keraslite.quantizers.quantization_config import QuantizationConfig as QuantizationConfig
from keraslite.quantizers.quantizers import AbsMaxQuantizer as AbsMaxQuantizer
from keraslite.quantizers.quantizers import Quantizer as Quantizer
from keraslite.quantizers.quantizers import abs_max_quantize as abs_max_quantize
from keraslite.quantizers.quantizers import (
    abs_max_quantize_grouped_with_zero_point as abs_max_quantize_grouped_with_zero_point,
)
from keraslite.quantizers.quantizers import pack_int4 as pack_int4
from keraslite.quantizers.quantizers import unpack_int4 as unpack_int4
