"""Shared pieces of the transactional end-to-end scripts: topics, clients and the read-back."""
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def create_topics(bootstrap, *topics):
    """Creates each (name, partitions) topic and waits for the broker's answer."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for name, future in admin.create_topics([NewTopic(name, partitions, 1) for name, partitions in topics]).items():
        future.result()


def fill(bootstrap, topic, partitions, count):
    """Produces `count` messages to each partition of `topic` (non-transactionally)."""
    producer = Producer({"bootstrap.servers": bootstrap})
    for partition in range(partitions):
        for index in range(count):
            producer.produce(topic, value=b"%d" % index, partition=partition)
    producer.flush(10)


def consumer(bootstrap, group, **extra):
    settings = {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                "isolation.level": "read_committed", "auto.offset.reset": "earliest"}
    settings.update(extra)
    return Consumer(settings)


def producer(bootstrap, transactional_id, **extra):
    settings = {"bootstrap.servers": bootstrap, "transactional.id": transactional_id}
    settings.update(extra)
    result = Producer(settings)
    result.init_transactions(10)
    return result


def print_final(bootstrap, group, topic, partitions):
    """Prints `final TOPIC/P N` for each partition: what a fresh consumer reads back from the broker."""
    fresh = consumer(bootstrap, group)
    for tp in fresh.committed([TopicPartition(topic, p) for p in range(partitions)], 10):
        print(f"final {tp.topic}/{tp.partition} {tp.offset}")
    fresh.close()
