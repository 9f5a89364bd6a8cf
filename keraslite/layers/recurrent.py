"""Recurrent layers (compatibility module): the implementations live in
`keraslite/layers/rnn/`."""

from keraslite.layers.rnn.base import RNN as RNN
from keraslite.layers.rnn.base import StackedRNNCells as StackedRNNCells
from keraslite.layers.rnn.bidirectional import Bidirectional as Bidirectional
from keraslite.layers.rnn.conv_lstm import ConvLSTM1D as ConvLSTM1D
from keraslite.layers.rnn.conv_lstm import ConvLSTM2D as ConvLSTM2D
from keraslite.layers.rnn.conv_lstm import ConvLSTM3D as ConvLSTM3D
from keraslite.layers.rnn.gru import GRU as GRU
from keraslite.layers.rnn.gru import GRUCell as GRUCell
from keraslite.layers.rnn.lstm import LSTM as LSTM
from keraslite.layers.rnn.lstm import LSTMCell as LSTMCell
from keraslite.layers.rnn.simple_rnn import SimpleRNN as SimpleRNN
from keraslite.layers.rnn.simple_rnn import SimpleRNNCell as SimpleRNNCell
from keraslite.layers.rnn.time_distributed import TimeDistributed as TimeDistributed
