# Egress only: hosts have no public address; one NAT gateway (in the first zone) lets them reach
# package mirrors. A zone outage cuts egress, not Kafka traffic, which stays on private routes.

resource "aws_internet_gateway" "this" {
  count = var.enable_nat ? 1 : 0

  vpc_id = aws_vpc.this.id
  tags   = merge(local.common_tags, { Name = local.name })
}

resource "aws_subnet" "public" {
  count = var.enable_nat ? 1 : 0

  vpc_id            = aws_vpc.this.id
  cidr_block        = var.network.public_subnet
  availability_zone = var.network.zones[0]

  tags = merge(local.common_tags, { Name = "${local.name}-public" })
}

resource "aws_route_table" "public" {
  count = var.enable_nat ? 1 : 0

  vpc_id = aws_vpc.this.id
  tags   = merge(local.common_tags, { Name = "${local.name}-public" })
}

resource "aws_route" "public_default" {
  count = var.enable_nat ? 1 : 0

  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[0].id
}

resource "aws_route_table_association" "public" {
  count = var.enable_nat ? 1 : 0

  subnet_id      = aws_subnet.public[0].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_eip" "nat" {
  count = var.enable_nat ? 1 : 0

  domain = "vpc"
  tags   = merge(local.common_tags, { Name = "${local.name}-nat" })
}

resource "aws_nat_gateway" "this" {
  count = var.enable_nat ? 1 : 0

  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public[0].id
  tags          = merge(local.common_tags, { Name = local.name })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route" "private_default" {
  count = var.enable_nat ? 1 : 0

  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[0].id
}
