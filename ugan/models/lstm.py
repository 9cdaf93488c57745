"""The recurrent generator of the paper's Sec. 3.2: an LSTM that writes an image one
column per time step, set against a small convolutional discriminator (``ConvDiscriminator``).
The two networks have nothing in common, which is what makes this GAN hard to train."""

from minigrad import nn


class LSTMGenerator(nn.Module):
    """z (N, noise_dim) is the LSTM's input at every one of the W time steps; at step t the
    hidden state h_t (N, hidden) is mapped by a shared Linear layer and tanh to column t of the
    image, (N, C*H). Columns are stacked into (N, C, H, W)."""

    def __init__(self, noise_dim, image_shape, hidden=128, dtype="float32"):
        super().__init__()
        self.noise_dim, self.image_shape = noise_dim, tuple(image_shape)
        channels, height, _ = self.image_shape
        self.lstm = nn.LSTM(noise_dim, hidden, dtype=dtype)
        self.to_column = nn.Linear(hidden, channels * height, dtype=dtype)

    def forward(self, z):
        channels, height, width = self.image_shape
        batch = z.shape[0]
        inputs = z.reshape(1, batch, self.noise_dim).broadcast_to((width, batch, self.noise_dim))
        hidden, _ = self.lstm(inputs)                                  # (W, N, hidden)
        columns = self.to_column(hidden).tanh()                        # (W, N, C*H)
        return columns.reshape(width, batch, channels, height).permute(1, 2, 3, 0)
