# A small nn.Module MLP classifying two interleaved spirals, trained with SGD (momentum) and
# then with Adam, in the style of the "Learn the Basics" optimisation loop.
import math

import torch
from torch import nn

torch.manual_seed(0)


def spirals(n):
    t = torch.linspace(0.25, 3 * math.pi, n)
    a = torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=1) / 10
    b = -a
    x = torch.cat([a, b]) + 0.05 * torch.randn(2 * n, 2)
    y = torch.cat([torch.zeros(n, dtype=torch.long), torch.ones(n, dtype=torch.long)])
    return x, y


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(2, 32),
            nn.ReLU(),
            nn.Linear(32, 32),
            nn.Tanh(),
            nn.Linear(32, 2),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


def train_loop(X, y, model, loss_fn, optimizer):
    model.train()
    pred = model(X)
    loss = loss_fn(pred, y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss.item()


def test_loop(X, y, model, loss_fn):
    model.eval()
    with torch.no_grad():
        pred = model(X)
        test_loss = loss_fn(pred, y).item()
        correct = (pred.argmax(1) == y).type(torch.float).sum().item()
    print(f"Test Error: \n Accuracy: {(100*correct/len(y)):>0.1f}%, Avg loss: {test_loss:>8f} \n")


X, y = spirals(100)
model = NeuralNetwork()
print(model)
loss_fn = nn.CrossEntropyLoss()

for name, optimizer in [("SGD", torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)),
                        ("Adam", torch.optim.Adam(model.parameters(), lr=1e-2))]:
    print(f"{name}\n-------------------------------")
    for epoch in range(100):
        loss = train_loop(X, y, model, loss_fn, optimizer)
        if epoch % 25 == 0:
            print(f"loss: {loss:>7f}  [{epoch:>3d}/100]")
    test_loop(X, y, model, loss_fn)

print(model.linear_relu_stack[0].bias)
