"""How a failed call ended, for an ack or an ended line: "fail" only where nothing can have been
written, "unknown" wherever the request may have reached the broker (never a false "applied
nowhere")."""

# kafka-python's and aiokafka's exceptions for an OffsetCommit the coordinator refused before
# writing anything, or that the client refused before sending it.
_REJECTED = {"CommitFailedError", "IllegalGenerationError", "UnknownMemberIdError", "RebalanceInProgressError",
             "OffsetMetadataTooLargeError", "GroupAuthorizationFailedError", "TopicAuthorizationFailedError",
             "UnknownTopicOrPartitionError", "InvalidGroupIdError", "FencedInstanceIdError",
             "IllegalStateError", "IllegalOperation"}

# Raised by kafka-python before the request is written: its connection is not ready, or it
# already has max_in_flight_requests_per_connection requests in flight (a burst of commit_async()
# calls past the fifth fails this way). Nothing reached the broker.
_NOT_SENT = {"NodeNotReadyError"}

# Kafka error codes with which a coordinator refuses an OffsetCommit partition before writing: the
# proxy's classification (Sources/KafkaWire/KafkaErrorCode.swift), which the Go shim shares.
_REJECTED_CODES = {22, 25, 27, 12, 3, 29, 30, 24, 69, 82, 110, 113, 100, 35, 14}

# librdkafka's local errors that mean the request was never sent: no offsets to commit, a bad
# argument, a call in the wrong state.
_LOCAL_NOT_SENT = {-168, -186, -172}

# Error codes with which a transaction coordinator refuses an EndTxn without ending the
# transaction as asked: the producer was fenced (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH,
# librdkafka's _FENCED), or its id is not its own (INVALID_PRODUCER_ID_MAPPING,
# TRANSACTIONAL_ID_AUTHORIZATION_FAILED). A commit refused so turns into an abort.
_END_REFUSED_CODES = {90, 47, -144, 49, 53}
_END_REFUSED = {"ProducerFencedError", "InvalidProducerEpochError", "InvalidProducerIdMappingError",
                "TransactionalIdAuthorizationFailedError", "IllegalStateError", "TransactionAbortableError"}


def commit_status(error):
    """A kafka-python or aiokafka commit's exception: "fail" when the broker refused before writing
    or the request never left the client, else "unknown"."""
    name = type(error).__name__
    return "fail" if name in _REJECTED or name in _NOT_SENT else "unknown"


def code_outcome(code):
    """An OffsetCommit partition's Kafka (or librdkafka) error code: "ok", "fail", "unknown"."""
    if code == 0:
        return "ok"
    if code in _REJECTED_CODES or code in _LOCAL_NOT_SENT:
        return "fail"
    return "unknown"


def ack_from_codes(codes):
    """An ack's status and errors from each partition's code (the proxy's rule): any ambiguous
    partition makes it "unknown"; all refused, "fail"; otherwise "ok" with the refused ones."""
    refused = {}
    for key, (code, name) in codes.items():
        outcome = code_outcome(code)
        if outcome == "unknown":
            return "unknown", None
        if outcome == "fail":
            refused[key] = name
    if codes and len(refused) == len(codes):
        return "fail", None
    return "ok", (refused or None)


def end_status(error):
    """A commit_transaction/abort_transaction exception: "fail" when the coordinator refused the
    EndTxn (fenced) or the client could not have sent it, else "unknown"."""
    kafka_error = error.args[0] if getattr(error, "args", None) else None
    code = getattr(kafka_error, "code", None)
    if callable(code):  # confluent-kafka's KafkaException(KafkaError)
        if code() in _END_REFUSED_CODES or kafka_error.txn_requires_abort():
            return "fail", kafka_error.name()
        return "unknown", kafka_error.name()
    name = type(error).__name__
    return ("fail" if name in _END_REFUSED else "unknown"), name


def recorded_end(recorder, txn, result, call, args, kwargs):
    """Runs a commit_transaction/abort_transaction call as an `end` of `txn` and its `ended`
    answer (the status from the exception, when it raises); returns what the call returned."""
    recorder.end(txn, result)
    try:
        value = call(*args, **kwargs)
    except Exception as error:
        status, name = end_status(error)
        recorder.ended(txn, status, name)
        raise
    recorder.ended(txn, "ok")
    return value
