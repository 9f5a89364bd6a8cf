"""Recurrent layers: the generic `RNN` over a cell, LSTM/GRU/SimpleRNN (on torch's fused
kernels when the configuration allows it), Bidirectional, TimeDistributed, ConvLSTM."""
